namespace Conclave.Recording.Recorder;

/// <summary>A running recording as stored so far: sealed segments and the records in them, and the records dropped.</summary>
public sealed record RecordingStatus(byte[] RecordingId, string MeetingId, long StartedUnixMs, int SegmentsSealed, long RecordsStored, long DroppedRecords);
