using System.Buffers.Binary;
using System.Diagnostics;
using System.Net;
using Conclave.Media.Diagnostics;
using Conclave.Media.Dtls;
using Conclave.Media.Ice;
using Conclave.Media.Rtcp;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Srtp;
using Conclave.Media.Stun;

namespace Conclave.Media.Sfu;

/// <summary>
/// One browser's RTCPeerConnection as the appliance sees it, the transport of its media
/// (mediasoup's WebRtcTransport): its ICE-lite agent, DTLS session and SRTP contexts, the
/// streams it publishes (producers) and the streams it receives (consumers). Its SDP's
/// offer/answer state is in <see cref="PeerNegotiation"/>.
/// NOTE: every member runs on the media loop thread.
/// </summary>
public sealed class Peer : IProducerListener, IConsumerListener, IDisposable
{
    /// <summary>Candidate addresses one peer may validate; Chromium has one per interface.</summary>
    private const int MaxValidatedAddresses = 8;

    /// <summary>
    /// Transport-cc feedback every 50 ms: libwebrtc's own receivers send it at 20–100 ms
    /// intervals, and its delay-based estimator reacts within a few intervals.
    /// </summary>
    private const long TransportCcFeedbackIntervalMs = 50;

    /// <summary>
    /// Packets one NACK may ask for. A loss burst of a whole key frame is a few dozen
    /// packets; 340 FCIs with every BLP bit set ask for 5,780, which nothing but an
    /// attacker sends.
    /// </summary>
    private const int MaxPacketsPerNack = 256;

    /// <summary>
    /// A subscriber whose NACKs ask for this many packets beyond its budget within
    /// <see cref="OverBudgetWindowMs"/> is closed: a lossy link re-asks for tens of packets
    /// a second, a flood for thousands.
    /// </summary>
    private const int MaxOverBudgetRetransmissionsPerWindow = 2_000;

    private const long OverBudgetWindowMs = 10_000;

    /// <summary>A peer that never completes ICE in this time is gone (RFC 7675 §5.1 uses 30 s for consent).</summary>
    private const long IceConnectTimeoutMs = 30_000;

    /// <summary>
    /// A publisher with more than this many packets that are not SFrame within
    /// <see cref="NotSFrameWindowMs"/> is closed. A sender that encrypts fails only on a
    /// damaged packet or around an epoch change the appliance has not heard of yet; one
    /// that does not fails every packet, some fifty a second for audio alone.
    /// </summary>
    private const int MaxNotSFramePerWindow = 50;

    private const long NotSFrameWindowMs = 10_000;

    /// <summary>Where the SSRC sits in an RTP header (RFC 3550 §5.1) and a sender report's sender SSRC (§6.4.1).</summary>
    private const int RtpSsrcOffset = 8;
    private const int RtcpSenderSsrcOffset = 4;

    /// <summary>A sender report's header, SSRC and sender info (RFC 3550 §6.4.1): 28 bytes before any report block.</summary>
    private const int SenderReportMinBytes = 28;

    /// <summary>What the peer's signalling is told when it publishes media that is not end-to-end encrypted.</summary>
    private const string NotEncryptedCloseReason = "media-not-encrypted";

    private readonly IPeerHost _host;           // Passed by argument.
    private readonly IPeerSignalSink _sink;     // Passed by argument.
    private readonly LoopBuffers _buffers;      // Passed by argument; shared by the loop.
    private readonly PeerNegotiation _negotiation;
    private readonly List<Consumer> _consumers = new();
    private readonly Producer?[] _producers = new Producer?[MediaSources.Count];   // Indexed by MediaSource.
    private readonly List<SocketAddress> _validatedAddresses = new();
    private readonly TransportCcFeedbackBuilder _transportCc = new();
    private readonly EventBudget _notSFrame = new(MaxNotSFramePerWindow, NotSFrameWindowMs);
    private readonly long _createdMs;

    private readonly List<SocketAddress> _consentedAddresses = new();
    private SocketAddress? _selectedAddress;
    private ConsentCheck? _consentCheck;
    private DtlsServerSession? _dtls;
    private SrtpContext? _inbound;
    private SrtpContext? _outbound;
    private long _overBudgetWindowStartMs;
    private int _overBudgetInWindow;
    private bool _transportCcPending;
    private long _lastTransportCcMs;
    private RtpTraffic _forwardedByRemovedConsumers;
    private RtpTraffic _publishedByStoppedProducers;

    internal Peer(IPeerHost host, Room room, IPeerSignalSink sink, LoopBuffers buffers, long nowMs)
    {
        _host = host;
        Room = room;
        _buffers = buffers;
        _createdMs = nowMs;
        _sink = sink;
        _negotiation = new PeerNegotiation(sink, host.Certificate.Sha256Fingerprint, host.CandidateEndPoint);
        Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        Cname = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        LocalSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        Ice = new IceLiteAgent(IceCredentials.Generate());
    }

    /// <summary>Opaque, random; also the msid stream id of everything this peer publishes.</summary>
    public string Id { get; }

    public string Cname { get; }

    /// <summary>Our SSRC as the sender of RTCP to this peer (PLI, transport-cc feedback).</summary>
    public uint LocalSsrc { get; }

    public Room Room { get; }

    public IceLiteAgent Ice { get; }

    /// <summary>What this peer publishes from <paramref name="source"/> now; null when it does not.</summary>
    public Producer? ProducerOf(MediaSource source) => _producers[(int)source];

    /// <summary>
    /// Whether an answer announcing a screen on <see cref="PeerNegotiation.PublishScreenMid"/>
    /// is taken as a published stream: only while signalling lets this participant present
    /// (docs/content-sharing.md), so a browser cannot share past the one-presenter rule.
    /// </summary>
    public bool MayPublishScreen { get; private set; }

    public bool IsConnected => _inbound is not null;
    public bool IsClosed { get; private set; }

    internal IReadOnlyList<Consumer> Consumers => _consumers;

    /// <summary>Everything forwarded to this peer since it joined, from streams still forwarded and from those that stopped.</summary>
    public RtpTraffic Forwarded
    {
        get
        {
            var total = _forwardedByRemovedConsumers;
            foreach (var consumer in _consumers) total += consumer.Sent;
            return total;
        }
    }

    /// <summary>Everything this peer published since it joined, on every source, including streams it stopped.</summary>
    public RtpTraffic Published
    {
        get
        {
            var total = _publishedByStoppedProducers;
            foreach (var producer in _producers)
            {
                if (producer is not null) total += producer.Received;
            }
            return total;
        }
    }

    // ---- ICE ---------------------------------------------------------------------

    /// <summary>A Binding request whose USERNAME names this peer's ufrag, parsed once by the plane.</summary>
    internal void OnBindingRequest(StunMessage request, SocketAddress from, long nowMs)
    {
        var outcome = Ice.HandleBindingRequest(request, from, nowMs, _buffers.Stun, out int responseLength);
        switch (outcome)
        {
            case IceCheckOutcome.Answered:
            case IceCheckOutcome.AnsweredNominated:
                var address = Validate(from);
                if (address is null) return;
                _host.TrySend(_buffers.Stun.AsSpan(0, responseLength), from);
                if (outcome == IceCheckOutcome.AnsweredNominated || _selectedAddress is null) Select(address, nowMs);
                break;
            case IceCheckOutcome.BadIntegrity: CountDrop(DropReason.StunBadIntegrity); break;
            case IceCheckOutcome.BadFingerprint: CountDrop(DropReason.StunBadFingerprint); break;
            case IceCheckOutcome.UnknownUsername: CountDrop(DropReason.StunUnknownUsername); break;
            case IceCheckOutcome.NotBindingRequest: CountDrop(DropReason.StunUnexpectedType); break;
            case IceCheckOutcome.RoleConflict:
                // The 487 answer is already written: send it, but do not trust the address.
                _host.TrySend(_buffers.Stun.AsSpan(0, responseLength), from);
                break;
            default: CountDrop(DropReason.StunMalformed); break;
        }
    }

    /// <summary>
    /// Media goes to <paramref name="address"/> once it consented: at once if it answered a
    /// check of ours before, otherwise after it answers the one sent now (RFC 7675 §5.1).
    /// Until then media stays where it was going, or nowhere.
    /// </summary>
    private void Select(SocketAddress address, long nowMs)
    {
        if (address.Equals(_selectedAddress)) return;
        foreach (var consented in _consentedAddresses)
        {
            if (!consented.Equals(address)) continue;
            _selectedAddress = consented;
            return;
        }
        if (_consentCheck?.Address.Equals(address) == true) return; // already asking
        _consentCheck = new ConsentCheck(address);
        SendConsentCheck(nowMs);
    }

    private void SendConsentCheck(long nowMs)
    {
        var check = _consentCheck!;
        if (!Ice.TryWriteConsentRequest(check.TransactionId, _buffers.Stun, out int length)) return; // the answer brings the credentials
        check.OnSent(nowMs);
        _host.TrySend(_buffers.Stun.AsSpan(0, length), check.Address);
    }

    /// <summary>A STUN response from one of this peer's validated addresses: consent, if it answers our check.</summary>
    internal void OnBindingResponse(StunMessage response, SocketAddress from)
    {
        if (_consentCheck is not { } check || !check.Address.Equals(from) || !Ice.IsConsentResponse(response, check.TransactionId))
        {
            CountDrop(DropReason.StunUnexpectedType);
            return;
        }
        _consentCheck = null;
        _consentedAddresses.Add(check.Address);
        _selectedAddress = check.Address;
    }

    /// <summary>Retransmits an unanswered consent check (RFC 5389 §7.2.1), and gives up on a silent address.</summary>
    private void RetryConsentCheck(long nowMs)
    {
        if (_consentCheck is not { } check) return;
        if (check.Attempts > 0 && nowMs - check.SentAtMs < ConsentCheck.RetransmitIntervalMs) return;
        if (check.Attempts >= ConsentCheck.MaxAttempts)
        {
            _consentCheck = null;
            CountDrop(DropReason.ConsentUnanswered);
            return;
        }
        SendConsentCheck(nowMs);
    }

    /// <summary>Remembers an address that passed a connectivity check; only such addresses reach DTLS and SRTP.</summary>
    private SocketAddress? Validate(SocketAddress from)
    {
        foreach (var known in _validatedAddresses)
        {
            if (known.Equals(from)) return known;
        }
        if (_validatedAddresses.Count >= MaxValidatedAddresses) return null;
        var copy = new SocketAddress(from.Family, from.Size);
        from.Buffer.Span[..from.Size].CopyTo(copy.Buffer.Span);
        _validatedAddresses.Add(copy);
        _host.BindAddress(copy, this);
        return copy;
    }

    internal void RestartIce()
    {
        string oldUfrag = Ice.Local.Ufrag;
        Ice.Restart(IceCredentials.Generate());
        _host.ReplaceUfrag(oldUfrag, this);
        Renegotiate();
    }

    // ---- DTLS --------------------------------------------------------------------

    internal void OnDtls(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (_dtls is null)
        {
            var address = Validate(from)!;
            var session = new DtlsServerSession(_host.Certificate,
                d => _host.TrySend(d.Span, address),
                address.Buffer[..address.Size].ToArray());
            session.HandshakeCompleted += keys => _host.Post(() => OnDtlsConnected(keys));
            session.HandshakeFailed += reason => _host.Post(() => _host.ClosePeer(this, $"DTLS handshake failed: {reason}"));
            if (_negotiation.RemoteDtlsFingerprint is { } expected) session.SetExpectedClientFingerprint(expected);
            _dtls = session;
            session.Start();
        }
        if (!_dtls.TryEnqueueDatagram(datagram)) CountDrop(DropReason.DtlsRejected);
    }

    internal void OnDtlsConnected(DtlsSrtpKeys keys)
    {
        if (IsClosed) return;
        var profile = (SrtpProfile)keys.ProtectionProfile;
        // We are the DTLS server: the browser writes with the client key (RFC 5764 §4.2).
        _inbound = new SrtpContext(profile, keys.ClientMasterKey, keys.ClientMasterSalt);
        _outbound = new SrtpContext(profile, keys.ServerMasterKey, keys.ServerMasterSalt);
        long now = _host.NowMs;
        foreach (var consumer in _consumers)
        {
            if (consumer.IsActive) consumer.Producer.RequestKeyFrame(now);
        }
    }

    // ---- RTP and RTCP in -----------------------------------------------------------

    internal void OnRtp(Span<byte> datagram, long nowMs)
    {
        if (!TryUnprotectInPlace(datagram, rtcp: false, out int length)) return;
        var plain = datagram[..length];
        if (!RtpPacket.TryParse(plain, out var rtp))
        {
            CountDrop(DropReason.RtpMalformed);
            return;
        }
        // Every packet with a transport-wide sequence number counts for bandwidth
        // estimation, padding-only probes on the RTX stream included.
        if (rtp.TryGetExtension(SdpCodecs.TransportCcExtensionId, out var transportSequence) && transportSequence.Length >= 2)
        {
            _transportCc.OnPacketReceived(BinaryPrimitives.ReadUInt16BigEndian(transportSequence), NowUs());
            _transportCcPending = true;
        }
        if (ProducerFor(rtp.Ssrc) is { } producer)
        {
            OnPublished(producer, plain, rtp, retransmitted: false, nowMs);
            return;
        }
        if (RtxProducerFor(rtp.Ssrc) is not { } video)
        {
            CountDrop(DropReason.UnknownSsrc);
            return;
        }
        if (rtp.Payload.IsEmpty) return; // padding only: a bandwidth probe, no packet to restore
        if (rtp.PayloadType != SdpCodecs.RtxPayloadType ||
            !RtxPacket.TryRestoreInPlace(plain, SdpCodecs.Vp8PayloadType, video.Ssrc, out int originalOffset))
        {
            CountDrop(DropReason.RtxMalformed);
            return;
        }
        var original = plain[originalOffset..];
        RtpPacket.TryParse(original, out var restored); // the RTX packet parsed, and only its payload's first two bytes went
        OnPublished(video, original, restored, retransmitted: true, nowMs);
    }

    /// <summary>
    /// One packet of a stream this peer publishes, as sent or restored from its RTX
    /// (<paramref name="retransmitted"/>): deduplicated and its loss tracked (video), checked
    /// for SFrame's shape, then tapped, cached and forwarded. A retransmission that fills a
    /// gap goes to subscribers as RTX (<see cref="Consumer.SendRecovered"/>); a late
    /// original as it came (SRTP let it in only within 64 packets of the newest).
    /// </summary>
    private void OnPublished(Producer producer, ReadOnlySpan<byte> packet, RtpPacket rtp, bool retransmitted, long nowMs)
    {
        // Padding-only packets on the primary SSRC take sequence numbers too: tracked, so they are not taken for loss.
        var arrival = producer.Losses?.OnReceived(rtp.SequenceNumber, retransmitted, nowMs) ?? PacketArrival.Newest;
        switch (arrival)
        {
            case PacketArrival.Duplicate: CountDrop(DropReason.RtpDuplicate); return;
            case PacketArrival.TooLate: CountDrop(DropReason.RtpTooLate); return;
        }
        if (rtp.Payload.IsEmpty) return; // padding only: a bandwidth probe, nothing to forward
        if (Room.Epoch is not { } epoch || !SFrameShape.Holds(producer.Kind, rtp.Payload, epoch, out var frameAtRoomEpoch))
        {
            OnNotSFrame(nowMs);
            return;
        }
        if (frameAtRoomEpoch != FrameAtRoomEpoch.None) producer.OnFrameAtEpoch(epoch, frameAtRoomEpoch == FrameAtRoomEpoch.KeyFrame, nowMs);
        if (!RtpWriter.TryWriteWithoutExtensions(packet, _buffers.Forwarded, out int forwardedLength))
        {
            CountDrop(DropReason.RtpMalformed);
            return;
        }
        var forwarded = _buffers.Forwarded.AsSpan(0, forwardedLength);
        _host.ForwardTap?.OnForward(Room.Id, Id, producer.Kind, forwarded);
        if (retransmitted && arrival == PacketArrival.Late)
        {
            producer.ForwardRecovered(forwarded, rtp.SequenceNumber, _buffers.Retransmission, nowMs);
        }
        else
        {
            producer.Forward(forwarded, rtp.SequenceNumber, nowMs);
        }
    }

    /// <summary>Every meeting is end-to-end encrypted: plain media is dropped, and a peer that keeps sending it is closed.</summary>
    /// <summary>A drop this peer caused, counted for its room and for the whole media plane.</summary>
    private void CountDrop(DropReason reason)
    {
        Room.Drops.Count(reason);
        _host.CountDrop(reason);
    }

    private void CountDrops(DropReason reason, int count)
    {
        Room.Drops.Count(reason, count);
        _host.CountDrops(reason, count);
    }

    private void OnNotSFrame(long nowMs)
    {
        CountDrop(DropReason.NotSFrame);
        if (!_notSFrame.TryTake(nowMs)) _host.ClosePeer(this, NotEncryptedCloseReason);
    }

    internal void OnRtcp(Span<byte> datagram, long nowMs)
    {
        if (!TryUnprotectInPlace(datagram, rtcp: true, out int length)) return;
        ReadOnlySpan<byte> compound = datagram[..length];
        if (!RtcpCompoundReader.IsValid(compound))
        {
            CountDrop(DropReason.RtcpMalformed);
            return;
        }
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var header, out var packet))
        {
            switch (header.PacketType)
            {
                case RtcpPacketType.SenderReport:
                    var producer = ProducerFor(header.SenderSsrc);
                    if (producer is null) break;
                    if (packet.Length >= SenderReportMinBytes)
                    {
                        // RFC 3550 §6.4.1: the sender info follows the sender's SSRC — NTP timestamp (64 bits), then RTP timestamp.
                        _host.ForwardTap?.OnSenderReport(Room.Id, Id, header.SenderSsrc,
                            BinaryPrimitives.ReadUInt64BigEndian(packet[8..]), BinaryPrimitives.ReadUInt32BigEndian(packet[16..]));
                    }
                    var consumers = producer.Consumers;
                    for (int i = 0; i < consumers.Count; i++) consumers[i].ForwardSenderReport(packet);
                    break;
                case RtcpPacketType.TransportFeedback when header.Fmt == RtcpFeedbackFormat.Nack:
                    if (!OnNack(packet, header.MediaSsrc, nowMs)) return;
                    break;
                case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.Pli:
                    RequestKeyFrame(ConsumerFor(header.MediaSsrc), nowMs);
                    break;
                case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.Fir:
                    // RFC 5104 §4.3.1.2: the media SSRC of a FIR header is unused; the
                    // requested streams are in the FCI entries.
                    var entries = new FirEnumerator(packet);
                    while (entries.MoveNext()) RequestKeyFrame(ConsumerFor(entries.Current.Ssrc), nowMs);
                    break;
            }
        }
    }

    /// <summary>This subscriber's PLI or FIR for one stream it receives; a request for a stream it does not receive is ignored.</summary>
    private void RequestKeyFrame(Consumer? consumer, long nowMs)
    {
        if (consumer is not null && !consumer.TryRequestKeyFrame(nowMs)) CountDrop(DropReason.KeyFrameRequestOverBudget);
    }

    /// <summary>
    /// Answers one NACK within the subscriber's budget; every refused retransmission is
    /// counted by reason. False when the peer asked for so much beyond its budget that it
    /// was closed (nothing more of its packet may be read).
    /// </summary>
    private bool OnNack(ReadOnlySpan<byte> nack, uint mediaSsrc, long nowMs)
    {
        var consumer = ConsumerFor(mediaSsrc);
        if (consumer is null) return true;
        var lost = new NackEnumerator(nack);
        int examined = 0, overBudget = 0;
        while (lost.MoveNext())
        {
            if (++examined > MaxPacketsPerNack)
            {
                CountDrop(DropReason.NackTruncated);
                break;
            }
            switch (consumer.Retransmit(lost.Current, _buffers.Retransmission, nowMs))
            {
                case RetransmissionVerdict.TooSoon: CountDrop(DropReason.RetransmissionTooSoon); break;
                case RetransmissionVerdict.OverBudget: CountDrop(DropReason.RetransmissionOverBudget); overBudget++; break;
            }
        }
        if (overBudget == 0) return true;
        if (nowMs - _overBudgetWindowStartMs > OverBudgetWindowMs)
        {
            _overBudgetWindowStartMs = nowMs;
            _overBudgetInWindow = 0;
        }
        _overBudgetInWindow += overBudget;
        if (_overBudgetInWindow < MaxOverBudgetRetransmissionsPerWindow) return true;
        _host.ClosePeer(this, "asked for retransmissions far beyond its budget");
        return false;
    }

    /// <summary>Decrypts in the loop's receive buffer; a packet that fails is counted by reason.</summary>
    private bool TryUnprotectInPlace(Span<byte> datagram, bool rtcp, out int length)
    {
        length = 0;
        if (_inbound is null)
        {
            CountDrop(DropReason.SrtpNoKeys);
            return false;
        }
        var status = rtcp ? _inbound.UnprotectRtcp(datagram, datagram, out length) : _inbound.UnprotectRtp(datagram, datagram, out length);
        if (status == SrtpStatus.Ok) return true;
        CountDrop(status switch
        {
            SrtpStatus.AuthFailed => DropReason.SrtpAuthFailed,
            SrtpStatus.Replayed or SrtpStatus.TooOld => DropReason.SrtpReplayed,
            _ when rtcp => DropReason.RtcpMalformed,
            _ => DropReason.RtpMalformed,
        });
        return false;
    }

    private Producer? ProducerFor(uint ssrc)
    {
        for (int i = 0; i < _producers.Length; i++)
        {
            if (_producers[i] is { } producer && producer.Ssrc == ssrc) return producer;
        }
        return null;
    }

    /// <summary>The video stream whose RTX SSRC (RFC 4588 §8.3) is <paramref name="ssrc"/>.</summary>
    private Producer? RtxProducerFor(uint ssrc)
    {
        for (int i = 0; i < _producers.Length; i++)
        {
            if (_producers[i] is { Kind: MediaKind.Video } producer && producer.RtxSsrc == ssrc) return producer;
        }
        return null;
    }

    /// <summary>The consumer a subscriber's feedback names: by the SSRC it receives the stream under.</summary>
    private Consumer? ConsumerFor(uint ssrc)
    {
        for (int i = 0; i < _consumers.Count; i++)
        {
            if (_consumers[i].Ssrc == ssrc) return _consumers[i];
        }
        return null;
    }

    /// <summary>A random SSRC (RFC 3550 §8.1) that nothing this peer sends or receives uses yet.</summary>
    private uint UnusedSsrc()
    {
        while (true)
        {
            uint ssrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
            if (!UsesSsrc(ssrc)) return ssrc;
        }
    }

    private static long NowUs() => Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);

    // ---- RTP and RTCP out ----------------------------------------------------------

    bool IConsumerListener.SendRtp(Consumer consumer, ReadOnlySpan<byte> rtpPacket, uint ssrc)
    {
        if (_outbound is null || _selectedAddress is null) return false;
        var packet = _buffers.Outgoing.AsSpan(0, rtpPacket.Length);
        rtpPacket.CopyTo(packet);
        BinaryPrimitives.WriteUInt32BigEndian(packet[RtpSsrcOffset..], ssrc);
        var status = _outbound.ProtectRtp(packet, _buffers.Protected, out int written);
        if (status != SrtpStatus.Ok)
        {
            // Sealing one index twice would reuse an AES-GCM nonce (RFC 7714 §8.1): refused.
            if (status is SrtpStatus.Replayed or SrtpStatus.TooOld) CountDrop(DropReason.SrtpIndexReused);
            return false;
        }
        _host.SendMedia(_buffers.Protected.AsSpan(0, written), _selectedAddress);
        return true;
    }

    void IConsumerListener.SendSenderReport(Consumer consumer, ReadOnlySpan<byte> senderReport, uint ssrc)
    {
        var report = _buffers.Outgoing.AsSpan(0, senderReport.Length);
        senderReport.CopyTo(report);
        BinaryPrimitives.WriteUInt32BigEndian(report[RtcpSenderSsrcOffset..], ssrc);
        SendRtcp(report);
    }

    void IProducerListener.OnKeyFrameWanted(Producer producer)
    {
        if (RtcpWriter.TryWritePli(_buffers.Rtcp, LocalSsrc, producer.Ssrc, out int written))
        {
            SendRtcp(_buffers.Rtcp.AsSpan(0, written));
        }
    }

    private void SendRtcp(ReadOnlySpan<byte> rtcpPacket)
    {
        if (_outbound is null || _selectedAddress is null) return;
        if (_outbound.ProtectRtcp(rtcpPacket, _buffers.Protected, out int written) != SrtpStatus.Ok) return;
        _host.TrySend(_buffers.Protected.AsSpan(0, written), _selectedAddress);
    }

    /// <summary>
    /// Asks the publisher to resend what each of its video streams lost on the way here, with
    /// one generic NACK per stream (RFC 4585 §6.2.1); the browser answers on its RTX stream (RFC 4588).
    /// </summary>
    private void RequestRetransmissions(long nowMs)
    {
        for (int i = 0; i < _producers.Length; i++)
        {
            if (_producers[i] is not { Losses: { } losses } video) continue;
            var lost = losses.TakeDue(nowMs, out int overBudget);
            if (overBudget > 0) CountDrops(DropReason.NackOverBudget, overBudget);
            if (RtcpWriter.TryWriteNack(_buffers.Rtcp, LocalSsrc, video.Ssrc, lost, out int written))
            {
                SendRtcp(_buffers.Rtcp.AsSpan(0, written));
            }
        }
    }

    /// <summary>Runs the peer's timers: NACKs to a publisher, transport-cc feedback, and whether the browser is still there.</summary>
    internal PeerTickOutcome OnTick(long nowMs)
    {
        RetryConsentCheck(nowMs);
        RequestRetransmissions(nowMs);
        if (_transportCcPending && nowMs - _lastTransportCcMs >= TransportCcFeedbackIntervalMs)
        {
            _lastTransportCcMs = nowMs;
            _transportCcPending = false;
            uint mediaSsrc = (ProducerOf(MediaSource.Camera) ?? ProducerOf(MediaSource.Microphone) ?? ProducerOf(MediaSource.Screen))?.Ssrc ?? 0;
            if (_transportCc.TryWriteFeedback(_buffers.Rtcp, LocalSsrc, mediaSsrc, out int written))
            {
                SendRtcp(_buffers.Rtcp.AsSpan(0, written));
            }
        }
        if (Ice.LastConsentMs != 0)
        {
            return Ice.IsConsentExpired(nowMs) ? PeerTickOutcome.ConsentExpired : PeerTickOutcome.Alive;
        }
        return nowMs - _createdMs > IceConnectTimeoutMs ? PeerTickOutcome.ConnectTimedOut : PeerTickOutcome.Alive;
    }

    // ---- Streams and the SDP that carries them --------------------------------------

    /// <summary>Adds a sendonly section that forwards <paramref name="producer"/> to this peer.</summary>
    internal void AddConsumer(Producer producer)
    {
        var consumer = new Consumer(producer, this, _negotiation.MidForNewStream(producer.Kind), UnusedSsrc(), UnusedSsrc());
        producer.Add(consumer);
        _consumers.Add(consumer);
        _negotiation.AddSendOnlySection(consumer);
    }

    /// <summary>Stops forwarding every stream of the peer <paramref name="publisherId"/>; their sections go inactive.</summary>
    internal bool RemoveConsumersOf(string publisherId)
    {
        bool changed = false;
        for (int i = _consumers.Count - 1; i >= 0; i--)
        {
            if (_consumers[i].Producer.PublisherId != publisherId) continue;
            RemoveConsumerAt(i);
            changed = true;
        }
        return changed;
    }

    /// <summary>Stops forwarding <paramref name="producer"/>, which stopped; its section goes inactive, to be reused.</summary>
    internal bool RemoveConsumerOf(Producer producer)
    {
        for (int i = _consumers.Count - 1; i >= 0; i--)
        {
            if (_consumers[i].Producer != producer) continue;
            RemoveConsumerAt(i);
            return true;
        }
        return false;
    }

    private void RemoveConsumerAt(int index)
    {
        var consumer = _consumers[index];
        _forwardedByRemovedConsumers += consumer.Sent;
        consumer.IsActive = false;
        consumer.Producer.Remove(consumer);
        _consumers.RemoveAt(index);
        _negotiation.Deactivate(consumer);
    }

    /// <summary>Sends a new offer now, or after the answer to the one outstanding.</summary>
    internal void Renegotiate()
    {
        if (!IsClosed) _negotiation.Offer(Ice.Local);
    }

    /// <summary>Applies the browser's answer: its ICE credentials, what it publishes, which forwarded sections it accepts.</summary>
    internal AnswerResult ApplyAnswer(int revision, string sdp, long nowMs)
    {
        if (IsClosed) return AnswerResult.Refused(AnswerOutcome.SessionEnded, "the session has ended");
        bool fingerprintPinned = _negotiation.RemoteDtlsFingerprint is not null;
        var result = _negotiation.Accept(revision, sdp, out var answer);
        if (result.Outcome != AnswerOutcome.Applied) return result;
        if (FindSsrcConflict(answer!) is { } conflict) return AnswerResult.Refused(AnswerOutcome.SsrcInUse, conflict);
        if (!fingerprintPinned) _dtls?.SetExpectedClientFingerprint(answer!.DtlsFingerprintSha256);
        Ice.SetRemote(new IceCredentials(answer!.IceUfrag, answer.IcePassword));
        if (_consentCheck is { Attempts: 0 }) SendConsentCheck(nowMs);

        List<Producer>? published = null;
        foreach (var section in answer.Sections)
        {
            if (section.Rejected) continue;
            if (PeerNegotiation.PublishedOn(section.Mid) is { } source)
            {
                if (section.Direction == MediaDirection.SendOnly && section.Ssrc is uint ssrc && Publish(source, ssrc, section.RtxSsrc) is { } producer)
                {
                    (published ??= new List<Producer>(MediaSources.Count)).Add(producer);
                }
                continue;
            }
            var consumer = ConsumerForMid(section.Mid);
            if (consumer is null || consumer.IsActive || section.Direction != MediaDirection.RecvOnly) continue;
            consumer.IsActive = true;
            if (IsConnected) consumer.Producer.RequestKeyFrame(nowMs);
        }
        if (published is not null) Room.OnPublished(published);
        _negotiation.OfferIfDeferred(Ice.Local);
        return result;
    }

    /// <summary>
    /// The SSRCs a participant announces must be its own: an SSRC already in the room (its
    /// packets would be taken for another's, and subscribers' SRTP would seal two packets
    /// under one index, RFC 3711 §3.3.1) or one used twice in the answer is refused.
    /// </summary>
    private string? FindSsrcConflict(SdpAnswer answer)
    {
        Span<uint> announced = stackalloc uint[2 * MediaSources.Count];
        int count = 0;
        foreach (var section in answer.Sections)
        {
            if (section.Rejected || section.Direction != MediaDirection.SendOnly || section.Ssrc is not uint ssrc) continue;
            if (PeerNegotiation.PublishedOn(section.Mid) is not { } source || !MayPublish(source)) continue;
            if (ProducerOf(source) is not null) continue; // already published; later answers repeat it
            foreach (uint candidate in (ReadOnlySpan<uint>)[ssrc, section.RtxSsrc ?? 0])
            {
                if (candidate == 0) continue;
                if (announced[..count].Contains(candidate)) return $"SSRC {candidate} appears twice in the answer";
                if (Room.IsSsrcTaken(candidate)) return $"SSRC {candidate} is already used in this meeting";
                announced[count++] = candidate;
            }
        }
        return null;
    }

    /// <summary>Whether a stream this peer publishes or receives, or its own RTCP sender SSRC, uses <paramref name="ssrc"/>.</summary>
    internal bool UsesSsrc(uint ssrc)
    {
        if (ssrc == LocalSsrc) return true;
        foreach (var consumer in _consumers)
        {
            if (consumer.Ssrc == ssrc || consumer.RtxSsrc == ssrc) return true;
        }
        foreach (var producer in _producers)
        {
            if (producer is not null && (producer.Ssrc == ssrc || producer.Kind == MediaKind.Video && producer.RtxSsrc == ssrc)) return true;
        }
        return false;
    }

    private bool MayPublish(MediaSource source) => source != MediaSource.Screen || MayPublishScreen;

    /// <summary>A stream the answer announces, now published; null when it was already (a later answer repeats the same SSRC) or may not be.</summary>
    private Producer? Publish(MediaSource source, uint ssrc, uint? rtxSsrc)
    {
        if (!MayPublish(source) || ProducerOf(source) is not null) return null;
        var producer = new Producer(this, Id, Cname, source, ssrc, rtxSsrc ?? (uint)Random.Shared.NextInt64(1, uint.MaxValue));
        _producers[(int)source] = producer;
        return producer;
    }

    /// <summary>
    /// Signalling lets this participant present (or no longer): a new offer follows, so that
    /// the browser's answer announces its screen (or says the section is inactive). Stopping
    /// ends the screen stream: every subscriber's section for it goes inactive, to carry a
    /// later stream (docs/content-sharing.md: the SDP does not grow with share and stop).
    /// </summary>
    internal void AllowScreen(bool allowed)
    {
        MayPublishScreen = allowed;
        if (!allowed) StopPublishing(MediaSource.Screen);
        Renegotiate();
    }

    private void StopPublishing(MediaSource source)
    {
        if (_producers[(int)source] is not { } producer) return;
        _producers[(int)source] = null;
        _publishedByStoppedProducers += producer.Received;
        Room.OnUnpublished(producer);
    }

    private Consumer? ConsumerForMid(string mid)
    {
        foreach (var consumer in _consumers)
        {
            if (consumer.Mid == mid) return consumer;
        }
        return null;
    }

    internal IEnumerable<SocketAddress> ValidatedAddresses => _validatedAddresses;

    internal void MarkClosed() => IsClosed = true;

    internal void NotifyMediaClosed(string reason) => _sink.OnMediaClosed(reason);

    public void Dispose()
    {
        IsClosed = true;
        _dtls?.Dispose();
        _inbound?.Dispose();
        _outbound?.Dispose();
    }
}
