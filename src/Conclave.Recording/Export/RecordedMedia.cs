namespace Conclave.Recording.Export;

/// <summary>
/// One RTP packet as the SFU forwarded it and the recorder stored it (docs/recording.md): the
/// header without extensions, the payload SFrame-protected frame data. Arrival is the
/// recording's clock, microseconds since it started.
/// </summary>
public readonly record struct RecordedRtp(ulong ArrivalMicroseconds, ReadOnlyMemory<byte> Packet);

/// <summary>An RTCP sender report's clock pair (RFC 3550 §6.4.1): what NTP time the sender's RTP timestamp meant.</summary>
public readonly record struct RecordedSenderReport(ulong ArrivalMicroseconds, uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp);

/// <summary>What one participant published while the recording ran, in arrival order.</summary>
public sealed record ParticipantMedia(IReadOnlyList<RecordedRtp> Video, IReadOnlyList<RecordedRtp> Audio, IReadOnlyList<RecordedSenderReport> SenderReports);
