namespace Conclave.Recording.Recorder;

/// <summary>A recording on disk is incomplete, altered or not what its manifest says; the message names the file.</summary>
public sealed class RecordingDataException(string message, Exception? inner = null) : Exception(message, inner);
