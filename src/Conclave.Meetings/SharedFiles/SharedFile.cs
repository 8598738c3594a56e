namespace Conclave.Meetings.SharedFiles;

/// <summary>
/// One file shared in a meeting, as the index lists it: sizes and times only. Its content is the
/// browser's ciphertext (the file key travels end to end in the meeting's MLS group), sealed
/// again under the storage KEK on disk (docs/content-sharing.md). No name or type exists here.
/// </summary>
/// <param name="FileId">128-bit random id, 32 lowercase hex digits; also the sealed file's name.</param>
/// <param name="Bytes">The ciphertext's length as uploaded (what the quotas count).</param>
/// <param name="UploaderParticipantId">The participant who uploaded it.</param>
/// <param name="UploaderAttendeeKey">Who that was (<c>account:42</c>, <c>invitation:…</c>): they may delete it from any tab.</param>
/// <param name="Stored">False while the upload runs (its bytes are reserved), true once the sealed file is in place.</param>
/// <param name="RoomEmptiedAt">When the meeting's room last emptied with this file in it; null while someone is in the room.</param>
public sealed record SharedFile(
    string FileId,
    string MeetingId,
    long Bytes,
    string UploaderParticipantId,
    string UploaderAttendeeKey,
    DateTimeOffset UploadedAt,
    bool Stored,
    DateTimeOffset? RoomEmptiedAt)
{
    public string AuditName => $"file:{FileId}";
}

/// <summary>How much a meeting may share (configuration <c>Conclave:SharedFiles</c>, README).</summary>
public sealed record SharedFileLimits(long MaxFileBytes, long MaxMeetingBytes, int MaxFilesPerMeeting)
{
    /// <summary>256 MiB a file (a long CT series), 2 GiB and 2,000 files a meeting.</summary>
    public static SharedFileLimits Defaults { get; } = new(256L * 1024 * 1024, 2L * 1024 * 1024 * 1024, 2000);

    /// <summary>The first value that makes no sense, or null.</summary>
    public string? Invalid() =>
        MaxFileBytes < 1 ? nameof(MaxFileBytes)
        : MaxMeetingBytes < MaxFileBytes ? nameof(MaxMeetingBytes)
        : MaxFilesPerMeeting < 1 ? nameof(MaxFilesPerMeeting)
        : null;
}

/// <summary>What a reservation for an upload came to.</summary>
public enum SharedFileReservation
{
    Reserved,
    /// <summary>The file alone is larger than a file may be.</summary>
    FileTooLarge,
    /// <summary>The meeting's files would hold more bytes than it may.</summary>
    MeetingBytesFull,
    /// <summary>The meeting holds as many files as it may.</summary>
    MeetingCountFull,
}
