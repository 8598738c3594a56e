namespace Conclave.Recording.Recorder;

/// <summary>What the recorder tells the daemon of its own accord.</summary>
public interface IRecordingEvents
{
    /// <summary>
    /// A recording stopped without being asked to (<paramref name="reason"/> "disk-full" or
    /// "write-failed"): what was sealed before stays readable. Called on the recording's
    /// writer thread, never on the media loop.
    /// </summary>
    void Stopped(string roomId, byte[] recordingId, string reason);
}
