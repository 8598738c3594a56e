using Conclave.Media.Rtp;
using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>One producer forwarded to one subscribing peer, on one m-section of its SDP.</summary>
public sealed class Consumer
{
    /// <summary>
    /// Key-frame requests (PLI, FIR) one subscriber may have relayed per stream within
    /// <see cref="KeyFrameRequestWindowMs"/>. A decoder that lost its reference asks, and
    /// asks again while no key frame comes; but every relayed request makes the publisher
    /// send a key frame, several times a delta frame's size, to all its subscribers, so
    /// one subscriber asking without end would spend the bandwidth of all of them.
    /// </summary>
    public const int MaxKeyFrameRequestsPerWindow = 5;

    public const long KeyFrameRequestWindowMs = 10_000;

    private readonly IConsumerListener _listener;   // The subscriber's transport.
    private readonly RetransmissionGuard _retransmissions = new();
    private readonly EventBudget _keyFrameRequests = new(MaxKeyFrameRequestsPerWindow, KeyFrameRequestWindowMs);
    private ushort _nextRtxSequenceNumber = (ushort)Random.Shared.Next(ushort.MaxValue);

    internal Consumer(Producer producer, IConsumerListener listener, string mid, uint ssrc, uint rtxSsrc)
    {
        Producer = producer;
        _listener = listener;
        Mid = mid;
        Ssrc = ssrc;
        RtxSsrc = rtxSsrc;
    }

    public Producer Producer { get; }
    public string Mid { get; }

    /// <summary>
    /// The SSRC the subscriber receives the stream under, this consumer's own (as mediasoup's
    /// consumers have): a section reused for a later stream then never carries an SSRC it
    /// carried before. Chromium 156 passed the frames of a stream that came back on its old
    /// SSRC and section by the receiver's transform, so not one decoded (measured with a
    /// screen shared, taken over and shared again).
    /// </summary>
    public uint Ssrc { get; }

    /// <summary>The SSRC of this consumer's retransmissions (RFC 4588); its own, like <see cref="Ssrc"/>.</summary>
    public uint RtxSsrc { get; }

    /// <summary>Set once the subscriber's answer accepted this m-section; nothing is sent before.</summary>
    public bool IsActive { get; internal set; }

    public long PacketsSent { get; private set; }

    /// <summary>RTP bytes forwarded to the subscriber (before SRTP's tag).</summary>
    public long BytesSent { get; private set; }

    public RtpTraffic Sent => new(PacketsSent, BytesSent);

    internal void SendRtp(ReadOnlySpan<byte> rtpPacket)
    {
        if (!IsActive) return;
        if (!_listener.SendRtp(this, rtpPacket, Ssrc)) return;
        PacketsSent++;
        BytesSent += rtpPacket.Length;
    }

    /// <summary>RTX bytes sent to the subscriber in answer to its NACKs (before SRTP's tag).</summary>
    public long RetransmittedBytes { get; private set; }

    /// <summary>
    /// Answers a NACK from the cache with an RTX packet (RFC 4588 §4), within the
    /// subscriber's retransmission budget. A packet no longer cached is not an error:
    /// it is simply not sent.
    /// </summary>
    internal RetransmissionVerdict Retransmit(ushort lostSequenceNumber, Span<byte> scratch, long nowMs)
    {
        if (!IsActive || Producer.Cache is null) return RetransmissionVerdict.Allowed;
        if (!Producer.Cache.TryGet(lostSequenceNumber, out var original)) return RetransmissionVerdict.Allowed;
        // RFC 4588 §4: the RTX packet carries the original sequence number in 2 more bytes.
        var verdict = _retransmissions.Check(lostSequenceNumber, original.Length + 2, nowMs, Producer.BytesPerSecond);
        if (verdict != RetransmissionVerdict.Allowed) return verdict;
        if (!RtpWriter.TryWriteRtx(original, SdpCodecs.RtxPayloadType, RtxSsrc,
                _nextRtxSequenceNumber, scratch, out int written)) return RetransmissionVerdict.Allowed;
        _nextRtxSequenceNumber++;
        if (_listener.SendRtp(this, scratch[..written], RtxSsrc)) RetransmittedBytes += written;
        return RetransmissionVerdict.Allowed;
    }

    /// <summary>
    /// Sends a packet the publisher retransmitted to fill a gap (after the appliance's NACK)
    /// as RTX on the stream's RTX SSRC (RFC 4588 §4), the form a retransmission this
    /// subscriber asked for takes. Not as a late packet on the primary SSRC: a recovered
    /// packet can be a key frame's burst behind the newest, beyond the 64-packet window
    /// within which SRTP seals an older index (RFC 3711 §3.3.2), while the RTX stream's own
    /// sequence only moves on.
    /// Counted as forwarded: it is this subscriber's only copy of the packet.
    /// </summary>
    internal void SendRecovered(ReadOnlySpan<byte> rtpPacket, ushort sequenceNumber, Span<byte> scratch, long nowMs)
    {
        if (!IsActive) return;
        if (!RtpWriter.TryWriteRtx(rtpPacket, SdpCodecs.RtxPayloadType, RtxSsrc, _nextRtxSequenceNumber, scratch, out int written)) return;
        _nextRtxSequenceNumber++;
        _retransmissions.RecordSent(sequenceNumber, nowMs);
        if (!_listener.SendRtp(this, scratch[..written], RtxSsrc)) return;
        PacketsSent++;
        BytesSent += written;
    }

    /// <summary>
    /// The subscriber asked for a key frame: relayed within its budget, then through the
    /// stream's own throttle (<see cref="Producer.RequestKeyFrame"/>), which may absorb it
    /// into another subscriber's request and still counts it here. False when the budget
    /// is spent. The SFU's own requests (a subscriber starting, a member joining the MLS
    /// group) go to the producer directly and cost no subscriber's budget.
    /// </summary>
    internal bool TryRequestKeyFrame(long nowMs)
    {
        if (!_keyFrameRequests.TryTake(nowMs)) return false;
        Producer.RequestKeyFrame(nowMs);
        return true;
    }

    /// <summary>
    /// Forwards the publisher's sender report: subscribers need it to map RTP time to NTP
    /// time and so sync audio with video (RFC 3550 §6.4.1). Its sender SSRC becomes this
    /// consumer's; timestamps are forwarded unchanged, so the report stays true for the stream.
    /// </summary>
    internal void ForwardSenderReport(ReadOnlySpan<byte> senderReport)
    {
        if (IsActive) _listener.SendSenderReport(this, senderReport, Ssrc);
    }
}
