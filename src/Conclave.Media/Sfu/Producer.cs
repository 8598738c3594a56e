using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// One stream a participant publishes (its microphone, its camera or its screen), and
/// the consumers it is forwarded to.
/// </summary>
public sealed class Producer
{
    /// <summary>
    /// Chromium asks again after ~300 ms when a key frame does not come; relaying every
    /// PLI of every subscriber would make the publisher send nothing but key frames.
    /// </summary>
    private const long KeyFrameRequestIntervalMs = 300;

    private readonly List<Consumer> _consumers = new();
    private long _lastKeyFrameRequestMs = long.MinValue / 2;
    /// <summary>The last room epoch this stream sent a key frame under; null before its first.</summary>
    private ulong? _keyFrameEpoch;

    private readonly IProducerListener _listener;   // The publisher's transport.
    private long _rateWindowStartMs = -1;
    private long _rateWindowBytes;

    /// <param name="publisherId">The publishing peer's id: the msid stream id subscribers see (RFC 8830).</param>
    /// <param name="publisherCname">The publisher's RTCP CNAME, repeated in every offer that forwards this stream.</param>
    internal Producer(IProducerListener listener, string publisherId, string publisherCname, MediaSource source, uint ssrc, uint rtxSsrc)
    {
        _listener = listener;
        PublisherId = publisherId;
        PublisherCname = publisherCname;
        Source = source;
        Kind = source.KindOf();
        Ssrc = ssrc;
        RtxSsrc = rtxSsrc;
        if (Kind == MediaKind.Video)
        {
            Cache = new PacketCache();
            Losses = new LossTracker();
        }
    }

    public string PublisherId { get; }
    public string PublisherCname { get; }
    public MediaSource Source { get; }
    public MediaKind Kind { get; }
    public uint Ssrc { get; }

    /// <summary>
    /// The SSRC of the RTX stream: the publisher's, from its a=ssrc-group:FID (RFC 5576
    /// §4.2), on which it answers the appliance's NACKs, and the one subscribers receive
    /// retransmissions on.
    /// </summary>
    public uint RtxSsrc { get; }

    public long PacketsReceived { get; private set; }

    /// <summary>RTP bytes (header and SFrame payload, after SRTP) received from the publisher: the console's bitrates.</summary>
    public long BytesReceived { get; private set; }

    public RtpTraffic Received => new(PacketsReceived, BytesReceived);

    /// <summary>The publisher's bitrate on this stream, measured over the last whole second; 0 until then.</summary>
    public long BytesPerSecond { get; private set; }

    /// <summary>Generic NACKs sent to the publisher for this stream (video only).</summary>
    public long NacksSent => Losses?.NacksSent ?? 0;

    /// <summary>Sequence numbers those NACKs asked for, each ask counted.</summary>
    public long PacketsNacked => Losses?.PacketsNacked ?? 0;

    /// <summary>Packets lost on the way from the publisher and recovered by its RTX.</summary>
    public long PacketsRecovered => Losses?.PacketsRecovered ?? 0;

    /// <summary>Packets lost on the way from the publisher and not waited for any more.</summary>
    public long PacketsGivenUp => Losses?.PacketsGivenUp ?? 0;

    internal PacketCache? Cache { get; }

    /// <summary>Loss from the publisher and the NACKs that repair it; video only (Opus repairs loss with in-band FEC).</summary>
    internal LossTracker? Losses { get; }

    internal IReadOnlyList<Consumer> Consumers => _consumers;

    internal void Add(Consumer consumer) => _consumers.Add(consumer);

    internal void Remove(Consumer consumer) => _consumers.Remove(consumer);

    /// <summary>Forwards one decrypted, extension-stripped RTP packet to every active consumer.</summary>
    internal void Forward(ReadOnlySpan<byte> rtpPacket, ushort sequenceNumber, long nowMs)
    {
        Receive(rtpPacket, sequenceNumber, nowMs);
        // NOTE: a for loop over the list: foreach over List<T> is allocation-free too,
        // but a consumer's send can never change the list, so no copy is needed.
        for (int i = 0; i < _consumers.Count; i++)
        {
            _consumers[i].SendRtp(rtpPacket);
        }
    }

    /// <summary>
    /// Forwards one packet the publisher retransmitted to fill a gap, restored to the
    /// original (RFC 4588 §4): every active consumer gets it as RTX
    /// (<see cref="Consumer.SendRecovered"/>), built in <paramref name="scratch"/>.
    /// </summary>
    internal void ForwardRecovered(ReadOnlySpan<byte> rtpPacket, ushort sequenceNumber, Span<byte> scratch, long nowMs)
    {
        Receive(rtpPacket, sequenceNumber, nowMs);
        for (int i = 0; i < _consumers.Count; i++)
        {
            _consumers[i].SendRecovered(rtpPacket, sequenceNumber, scratch, nowMs);
        }
    }

    private void Receive(ReadOnlySpan<byte> rtpPacket, ushort sequenceNumber, long nowMs)
    {
        PacketsReceived++;
        BytesReceived += rtpPacket.Length;
        MeasureRate(rtpPacket.Length, nowMs);
        Cache?.Store(sequenceNumber, rtpPacket);
    }

    private void MeasureRate(int bytes, long nowMs)
    {
        if (_rateWindowStartMs < 0) _rateWindowStartMs = nowMs;
        long elapsedMs = nowMs - _rateWindowStartMs;
        if (elapsedMs >= 1_000)
        {
            BytesPerSecond = _rateWindowBytes * 1_000 / elapsedMs;
            _rateWindowStartMs = nowMs;
            _rateWindowBytes = 0;
        }
        _rateWindowBytes += bytes;
    }

    /// <summary>
    /// A video frame of this stream starts under the room's current MLS epoch. Who joined the group
    /// at that epoch can open nothing of the stream before a key frame sealed under it (a key frame
    /// under the epoch before does not help them), so until one comes each frame asks for it,
    /// through the throttle: the key frame follows the publisher's switch to the epoch, however
    /// long processing the commit took it.
    /// </summary>
    internal void OnFrameAtEpoch(ulong epoch, bool keyFrame, long nowMs)
    {
        if (keyFrame) _keyFrameEpoch = epoch;
        else if (_keyFrameEpoch != epoch) RequestKeyFrame(nowMs);
    }

    internal void RequestKeyFrame(long nowMs)
    {
        if (Kind != MediaKind.Video || nowMs - _lastKeyFrameRequestMs < KeyFrameRequestIntervalMs) return;
        _lastKeyFrameRequestMs = nowMs;
        _listener.OnKeyFrameWanted(this);
    }
}
