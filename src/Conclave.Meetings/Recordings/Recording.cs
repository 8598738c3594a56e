namespace Conclave.Meetings.Recordings;

/// <summary>What a recording keeps: media only, or media and the meeting's chat (docs/recording.md).</summary>
public enum RecordingScope
{
    Media = 1,
    MediaAndChat = 2,
}

/// <summary>
/// One compliance recording, as the index lists it: metadata only. Its content is SFrame
/// ciphertext under the storage KEK on disk, openable only with escrowed keys and the
/// compliance token (docs/recording.md).
/// </summary>
/// <param name="Id">128-bit random id, 32 lowercase hex digits; also the directory's name.</param>
/// <param name="StartedBy">Who started it, as the audit log names them.</param>
/// <param name="EndedBy">"stop", "meeting-ended", "disk-full", "recovered-after-crash"; null while it records.</param>
/// <param name="ManifestSha256">SHA-256 of the sealed manifest written at the end; the audit log holds it too.</param>
/// <param name="RetainUntil">Kept at least until then; shredded after, unless on legal hold.</param>
/// <param name="ShreddedAt">When its keys were destroyed and its files deleted.</param>
public sealed record Recording(
    string Id,
    string MeetingId,
    string MeetingTitle,
    string StartedBy,
    RecordingScope Scope,
    DateTimeOffset StartedAt,
    DateTimeOffset? StoppedAt,
    string? EndedBy,
    long Bytes,
    byte[]? ManifestSha256,
    DateTimeOffset RetainUntil,
    bool LegalHold,
    DateTimeOffset? ShreddedAt)
{
    public bool IsRecording => StoppedAt is null;

    public string AuditName => $"recording:{Id}";
}
