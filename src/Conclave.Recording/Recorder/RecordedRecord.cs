using Conclave.Media.Sdp;

namespace Conclave.Recording.Recorder;

/// <summary>One stored record, read back; <see cref="ArrivalUs"/> is µs since the recording started.</summary>
public abstract record RecordedRecord(ulong ArrivalUs);

/// <summary>An RTP packet as forwarded: header without extensions, SFrame payload.</summary>
public sealed record RecordedRtp(ulong ArrivalUs, string PublisherPeerId, MediaKind Kind, byte[] RtpPacket) : RecordedRecord(ArrivalUs);

/// <summary>A publisher's RTCP sender report: its stream's RTP timestamp at an NTP wall-clock time (RFC 3550 §6.4.1).</summary>
public sealed record RecordedSenderReport(ulong ArrivalUs, string PublisherPeerId, uint Ssrc, ulong NtpTimestamp, uint RtpTimestamp) : RecordedRecord(ArrivalUs);

/// <summary>The Delivery Service accepted the commit that made this MLS epoch.</summary>
public sealed record RecordedEpoch(ulong ArrivalUs, ulong Epoch) : RecordedRecord(ArrivalUs);

/// <summary>An EscrowBlob as a member's browser sent it.</summary>
public sealed record RecordedEscrow(ulong ArrivalUs, byte[] EscrowBlob) : RecordedRecord(ArrivalUs);

/// <summary>The ConclaveCredential the appliance issued to the peer that publishes as <paramref name="PublisherPeerId"/>.</summary>
public sealed record RecordedParticipant(ulong ArrivalUs, string PublisherPeerId, byte[] Credential) : RecordedRecord(ArrivalUs);

/// <summary>SFrame-enveloped chat as relayed, under <paramref name="Epoch"/>.</summary>
public sealed record RecordedData(ulong ArrivalUs, string PublisherPeerId, ulong Epoch, byte[] Ciphertext) : RecordedRecord(ArrivalUs);

/// <summary>The writer fell behind and this many records were dropped here.</summary>
public sealed record RecordedGap(ulong ArrivalUs, uint DroppedRecords) : RecordedRecord(ArrivalUs);
