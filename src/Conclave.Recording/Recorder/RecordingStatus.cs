namespace Conclave.Recording.Recorder;

/// <summary>
/// A running recording as stored so far: sealed segments and the records in them, the records
/// dropped, and the bytes appended that its writer has not taken from the ring yet (its backlog).
/// </summary>
public sealed record RecordingStatus(byte[] RecordingId, string MeetingId, long StartedUnixMs, int SegmentsSealed, long RecordsStored, long DroppedRecords, long WaitingBytes);
