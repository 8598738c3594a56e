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

namespace Conclave.Media.Sfu;

/// <summary>
/// One browser's RTCPeerConnection as the appliance sees it: its ICE-lite agent, DTLS
/// session and SRTP contexts (the transport), the streams it publishes (producers),
/// the streams it receives (consumers), and the offer/answer state of its SDP.
/// NOTE: every member runs on the media loop thread.
/// </summary>
public sealed class Peer : IDisposable
{
    public const string PublishAudioMid = "0";
    public const string PublishVideoMid = "1";

    /// <summary>Candidate addresses one peer may validate; Chromium has one per interface.</summary>
    private const int MaxValidatedAddresses = 8;

    /// <summary>
    /// Transport-cc feedback every 50 ms: libwebrtc's own receivers send it at 20–100 ms
    /// intervals, and its delay-based estimator reacts within a few intervals.
    /// </summary>
    private const long TransportCcFeedbackIntervalMs = 50;

    /// <summary>A peer that never completes ICE in this time is gone (RFC 7675 §5.1 uses 30 s for consent).</summary>
    private const long IceConnectTimeoutMs = 30_000;

    private readonly MediaPlane _plane;         // Passed by argument.
    private readonly IPeerSignalSink _sink;     // Passed by argument.
    private readonly LoopBuffers _buffers;      // Passed by argument; shared by the loop.
    private readonly List<NegotiatedSection> _sections = new();
    private readonly List<Consumer> _consumers = new();
    private readonly List<SocketAddress> _validatedAddresses = new();
    private readonly TransportCcFeedbackBuilder _transportCc = new();
    private readonly ulong _sdpSessionId = (ulong)Random.Shared.NextInt64(1, long.MaxValue);
    private readonly long _createdMs;

    private SocketAddress? _selectedAddress;
    private DtlsServerSession? _dtls;
    private string? _expectedDtlsFingerprint;
    private SrtpContext? _inbound;
    private SrtpContext? _outbound;
    private SdpOffer? _lastOffer;
    private int _revision;
    private bool _awaitingAnswer;
    private bool _renegotiationPending;
    private bool _transportCcPending;
    private long _lastTransportCcMs;
    private int _nextMid = 2;

    internal Peer(MediaPlane plane, Room room, IPeerSignalSink sink, LoopBuffers buffers, long nowMs)
    {
        _plane = plane;
        Room = room;
        _sink = sink;
        _buffers = buffers;
        _createdMs = nowMs;
        Id = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        Cname = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(8));
        LocalSsrc = (uint)Random.Shared.NextInt64(1, uint.MaxValue);
        Ice = new IceLiteAgent(IceCredentials.Generate());
        _sections.Add(new NegotiatedSection(PublishAudioMid, MediaKind.Audio, MediaDirection.RecvOnly, null));
        _sections.Add(new NegotiatedSection(PublishVideoMid, MediaKind.Video, MediaDirection.RecvOnly, null));
    }

    /// <summary>Opaque, random; also the msid stream id of everything this peer publishes.</summary>
    public string Id { get; }

    public string Cname { get; }

    /// <summary>Our SSRC as the sender of RTCP to this peer (PLI, transport-cc feedback).</summary>
    public uint LocalSsrc { get; }

    public Room Room { get; }

    public IceLiteAgent Ice { get; }

    public Producer? AudioProducer { get; private set; }
    public Producer? VideoProducer { get; private set; }

    public bool IsConnected => _inbound is not null;
    public bool IsClosed { get; private set; }

    internal IReadOnlyList<Consumer> Consumers => _consumers;

    // ---- ICE ---------------------------------------------------------------------

    internal void OnBindingRequest(ReadOnlySpan<byte> request, SocketAddress from, long nowMs)
    {
        var outcome = Ice.HandleBindingRequest(request, from, nowMs, _buffers.Stun, out int responseLength);
        switch (outcome)
        {
            case IceCheckOutcome.Answered:
            case IceCheckOutcome.AnsweredNominated:
                var address = Validate(from);
                if (address is null) return;
                if (outcome == IceCheckOutcome.AnsweredNominated || _selectedAddress is null) _selectedAddress = address;
                _plane.Loop.TrySend(_buffers.Stun.AsSpan(0, responseLength), from);
                break;
            case IceCheckOutcome.BadIntegrity: _plane.Drops.Count(DropReason.StunBadIntegrity); break;
            case IceCheckOutcome.BadFingerprint: _plane.Drops.Count(DropReason.StunBadFingerprint); break;
            case IceCheckOutcome.UnknownUsername: _plane.Drops.Count(DropReason.StunUnknownUsername); break;
            case IceCheckOutcome.NotBindingRequest: _plane.Drops.Count(DropReason.StunUnexpectedType); break;
            case IceCheckOutcome.RoleConflict:
                // The 487 answer is already written: send it, but do not trust the address.
                _plane.Loop.TrySend(_buffers.Stun.AsSpan(0, responseLength), from);
                break;
            default: _plane.Drops.Count(DropReason.StunMalformed); break;
        }
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
        _plane.BindAddress(copy, this);
        return copy;
    }

    internal void RestartIce()
    {
        string oldUfrag = Ice.Local.Ufrag;
        Ice.Restart(IceCredentials.Generate());
        _plane.ReplaceUfrag(oldUfrag, this);
        Renegotiate();
    }

    // ---- DTLS --------------------------------------------------------------------

    internal void OnDtls(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (_dtls is null)
        {
            var address = Validate(from)!;
            var session = new DtlsServerSession(_plane.Certificate,
                d => _plane.Loop.TrySend(d.Span, address),
                address.Buffer[..address.Size].ToArray());
            session.HandshakeCompleted += keys => _plane.Loop.Post(() => OnDtlsConnected(keys));
            session.HandshakeFailed += reason => _plane.Loop.Post(() => _plane.ClosePeer(this, $"DTLS handshake failed: {reason}"));
            if (_expectedDtlsFingerprint is not null) session.SetExpectedClientFingerprint(_expectedDtlsFingerprint);
            _dtls = session;
            session.Start();
        }
        if (!_dtls.TryEnqueueDatagram(datagram)) _plane.Drops.Count(DropReason.DtlsRejected);
    }

    internal void OnDtlsConnected(DtlsSrtpKeys keys)
    {
        if (IsClosed) return;
        var profile = (SrtpProfile)keys.ProtectionProfile;
        // We are the DTLS server: the browser writes with the client key (RFC 5764 §4.2).
        _inbound = new SrtpContext(profile, keys.ClientMasterKey, keys.ClientMasterSalt);
        _outbound = new SrtpContext(profile, keys.ServerMasterKey, keys.ServerMasterSalt);
        long now = Transport.MediaEventLoop.NowMs;
        foreach (var consumer in _consumers)
        {
            if (consumer.IsActive) consumer.Producer.RequestKeyFrame(now);
        }
    }

    // ---- RTP and RTCP in -----------------------------------------------------------

    internal void OnRtp(Span<byte> datagram, long nowMs)
    {
        if (!TryUnprotectInPlace(datagram, rtcp: false, out int length)) return;
        ReadOnlySpan<byte> plain = datagram[..length];
        if (!RtpPacket.TryParse(plain, out var rtp))
        {
            _plane.Drops.Count(DropReason.RtpMalformed);
            return;
        }
        // Every packet with a transport-wide sequence number counts for bandwidth
        // estimation, padding-only probes on the RTX stream included.
        if (rtp.TryGetExtension(SdpCodecs.TransportCcExtensionId, out var transportSequence) && transportSequence.Length >= 2)
        {
            _transportCc.OnPacketReceived(BinaryPrimitives.ReadUInt16BigEndian(transportSequence), NowUs());
            _transportCcPending = true;
        }
        var producer = ProducerFor(rtp.Ssrc);
        if (producer is null)
        {
            if (!IsRtxSsrc(rtp.Ssrc)) _plane.Drops.Count(DropReason.UnknownSsrc);
            return;
        }
        if (rtp.Payload.IsEmpty) return; // padding only: a bandwidth probe, nothing to forward
        if (!RtpWriter.TryWriteWithoutExtensions(plain, _buffers.Forwarded, out int forwardedLength))
        {
            _plane.Drops.Count(DropReason.RtpMalformed);
            return;
        }
        producer.Forward(_buffers.Forwarded.AsSpan(0, forwardedLength), rtp.SequenceNumber);
    }

    internal void OnRtcp(Span<byte> datagram, long nowMs)
    {
        if (!TryUnprotectInPlace(datagram, rtcp: true, out int length)) return;
        ReadOnlySpan<byte> compound = datagram[..length];
        if (!RtcpCompoundReader.IsValid(compound))
        {
            _plane.Drops.Count(DropReason.RtpMalformed);
            return;
        }
        var reader = new RtcpCompoundReader(compound);
        while (reader.TryReadNext(out var header, out var packet))
        {
            switch (header.PacketType)
            {
                case RtcpPacketType.SenderReport:
                    // Subscribers need the publisher's SR to map RTP time to NTP time and
                    // so sync audio with video (RFC 3550 §6.4.1); SSRCs and timestamps are
                    // forwarded unchanged, so the SR stays true for them.
                    var producer = ProducerFor(header.SenderSsrc);
                    if (producer is null) break;
                    foreach (var consumer in producer.Consumers)
                    {
                        if (consumer.IsActive) consumer.Subscriber.SendRtcp(packet);
                    }
                    break;
                case RtcpPacketType.TransportFeedback when header.Fmt == RtcpFeedbackFormat.Nack:
                    var nacked = ConsumerFor(header.MediaSsrc);
                    if (nacked is null) break;
                    var lost = new NackEnumerator(packet);
                    while (lost.MoveNext()) nacked.Retransmit(lost.Current, _buffers.Retransmission);
                    break;
                case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.Pli:
                    ConsumerFor(header.MediaSsrc)?.Producer.RequestKeyFrame(nowMs);
                    break;
                case RtcpPacketType.PayloadFeedback when header.Fmt == RtcpFeedbackFormat.Fir:
                    // RFC 5104 §4.3.1.2: the media SSRC of a FIR header is unused; the
                    // requested streams are in the FCI entries.
                    var entries = new FirEnumerator(packet);
                    while (entries.MoveNext()) ConsumerFor(entries.Current.Ssrc)?.Producer.RequestKeyFrame(nowMs);
                    break;
            }
        }
    }

    /// <summary>Decrypts in the loop's receive buffer; a packet that fails is counted by reason.</summary>
    private bool TryUnprotectInPlace(Span<byte> datagram, bool rtcp, out int length)
    {
        length = 0;
        if (_inbound is null)
        {
            _plane.Drops.Count(DropReason.SrtpNoKeys);
            return false;
        }
        var status = rtcp ? _inbound.UnprotectRtcp(datagram, datagram, out length) : _inbound.UnprotectRtp(datagram, datagram, out length);
        if (status == SrtpStatus.Ok) return true;
        _plane.Drops.Count(status switch
        {
            SrtpStatus.AuthFailed => DropReason.SrtpAuthFailed,
            SrtpStatus.Replayed or SrtpStatus.TooOld => DropReason.SrtpReplayed,
            _ => DropReason.RtpMalformed,
        });
        return false;
    }

    private Producer? ProducerFor(uint ssrc)
    {
        if (AudioProducer?.Ssrc == ssrc) return AudioProducer;
        if (VideoProducer?.Ssrc == ssrc) return VideoProducer;
        return null;
    }

    private bool IsRtxSsrc(uint ssrc) => VideoProducer?.RtxSsrc == ssrc;

    private Consumer? ConsumerFor(uint producerSsrc)
    {
        for (int i = 0; i < _consumers.Count; i++)
        {
            if (_consumers[i].Producer.Ssrc == producerSsrc) return _consumers[i];
        }
        return null;
    }

    private static long NowUs() => Stopwatch.GetTimestamp() / (Stopwatch.Frequency / 1_000_000);

    // ---- RTP and RTCP out ----------------------------------------------------------

    internal bool SendRtp(ReadOnlySpan<byte> rtpPacket)
    {
        if (_outbound is null || _selectedAddress is null) return false;
        if (_outbound.ProtectRtp(rtpPacket, _buffers.Protected, out int written) != SrtpStatus.Ok) return false;
        return _plane.Loop.TrySend(_buffers.Protected.AsSpan(0, written), _selectedAddress);
    }

    internal bool SendRtcp(ReadOnlySpan<byte> rtcpPacket)
    {
        if (_outbound is null || _selectedAddress is null) return false;
        if (_outbound.ProtectRtcp(rtcpPacket, _buffers.Protected, out int written) != SrtpStatus.Ok) return false;
        return _plane.Loop.TrySend(_buffers.Protected.AsSpan(0, written), _selectedAddress);
    }

    internal void SendPictureLossIndication(uint mediaSsrc)
    {
        if (RtcpWriter.TryWritePli(_buffers.Rtcp, LocalSsrc, mediaSsrc, out int written))
        {
            SendRtcp(_buffers.Rtcp.AsSpan(0, written));
        }
    }

    /// <summary>Runs the peer's timers; returns why the peer must be dropped, or null.</summary>
    internal string? OnTick(long nowMs)
    {
        if (_transportCcPending && nowMs - _lastTransportCcMs >= TransportCcFeedbackIntervalMs)
        {
            _lastTransportCcMs = nowMs;
            _transportCcPending = false;
            uint mediaSsrc = VideoProducer?.Ssrc ?? AudioProducer?.Ssrc ?? 0;
            if (_transportCc.TryWriteFeedback(_buffers.Rtcp, LocalSsrc, mediaSsrc, out int written))
            {
                SendRtcp(_buffers.Rtcp.AsSpan(0, written));
            }
        }
        if (Ice.LastConsentMs != 0)
        {
            return Ice.IsConsentExpired(nowMs) ? "ICE consent expired: no connectivity check for 30 s (RFC 7675)" : null;
        }
        return nowMs - _createdMs > IceConnectTimeoutMs ? "ICE did not connect within 30 s" : null;
    }

    // ---- Offer/answer --------------------------------------------------------------

    /// <summary>Adds a sendonly section that forwards <paramref name="producer"/> to this peer.</summary>
    internal void AddConsumer(Producer producer)
    {
        string mid = (_nextMid++).ToString(System.Globalization.CultureInfo.InvariantCulture);
        var consumer = new Consumer(producer, this, mid);
        producer.Add(consumer);
        _consumers.Add(consumer);
        _sections.Add(new NegotiatedSection(mid, producer.Kind, MediaDirection.SendOnly, consumer));
    }

    /// <summary>Stops forwarding every stream of <paramref name="publisher"/>; their sections go inactive.</summary>
    internal bool RemoveConsumersOf(Peer publisher)
    {
        bool changed = false;
        foreach (var section in _sections)
        {
            if (section.Consumer?.Producer.Publisher != publisher) continue;
            var consumer = section.Consumer;
            consumer.IsActive = false;
            consumer.Producer.Remove(consumer);
            _consumers.Remove(consumer);
            section.Consumer = null;
            section.Direction = MediaDirection.Inactive;
            changed = true;
        }
        return changed;
    }

    /// <summary>Sends a new offer now, or after the answer to the one outstanding (no glare, RFC 8829 §4.1.8).</summary>
    internal void Renegotiate()
    {
        if (IsClosed) return;
        if (_awaitingAnswer)
        {
            _renegotiationPending = true;
            return;
        }
        _revision++;
        var offered = new List<OfferedSection>(_sections.Count);
        var tracks = new List<TrackMapping>();
        foreach (var section in _sections)
        {
            ForwardedStream? stream = null;
            if (section.Consumer is { } consumer)
            {
                var producer = consumer.Producer;
                string streamId = producer.Publisher.Id;
                stream = new ForwardedStream(streamId, $"{streamId}-{(producer.Kind == MediaKind.Audio ? "audio" : "video")}",
                    producer.Publisher.Cname, producer.Ssrc, producer.Kind == MediaKind.Video ? producer.RtxSsrc : null);
                tracks.Add(new TrackMapping(section.Mid, streamId, section.Kind));
            }
            offered.Add(new OfferedSection(section.Mid, section.Kind, section.Direction, stream));
        }
        _lastOffer = new SdpOffer(_sdpSessionId, (ulong)_revision, Ice.Local.Ufrag, Ice.Local.Password,
            _plane.Certificate.Sha256Fingerprint, _plane.CandidateEndPoint, offered);
        _awaitingAnswer = true;
        _sink.SendOffer(new PeerOffer(_revision, SdpWriter.WriteOffer(_lastOffer), PublishAudioMid, PublishVideoMid, tracks));
    }

    /// <summary>Applies the browser's answer; returns a message for the browser if it is refused.</summary>
    internal string? ApplyAnswer(int revision, string sdp, long nowMs)
    {
        if (!_awaitingAnswer || revision != _revision || _lastOffer is null)
        {
            return _awaitingAnswer
                ? $"answer names offer revision {revision}, but revision {_revision} awaits an answer"
                : $"answer for revision {revision} arrived, but no offer awaits an answer";
        }
        if (!SdpParser.TryParseAnswer(sdp, out var answer, out var error)) return error;
        if (!SdpAnswerValidator.TryValidate(_lastOffer, answer!, out error)) return error;
        if (_expectedDtlsFingerprint is not null && _expectedDtlsFingerprint != answer!.DtlsFingerprintSha256)
        {
            return "the DTLS fingerprint changed within a session; join again";
        }
        if (_expectedDtlsFingerprint is null)
        {
            _expectedDtlsFingerprint = answer!.DtlsFingerprintSha256;
            _dtls?.SetExpectedClientFingerprint(_expectedDtlsFingerprint);
        }
        Ice.SetRemote(new IceCredentials(answer!.IceUfrag, answer.IcePassword));
        _awaitingAnswer = false;

        foreach (var section in answer.Sections)
        {
            if (section.Rejected) continue;
            if (section.Mid is PublishAudioMid or PublishVideoMid)
            {
                if (section.Direction == MediaDirection.SendOnly && section.Ssrc is uint ssrc) Publish(section.Kind, ssrc, section.RtxSsrc);
                continue;
            }
            var consumer = ConsumerForMid(section.Mid);
            if (consumer is null || consumer.IsActive || section.Direction != MediaDirection.RecvOnly) continue;
            consumer.IsActive = true;
            if (IsConnected) consumer.Producer.RequestKeyFrame(nowMs);
        }
        if (_renegotiationPending)
        {
            _renegotiationPending = false;
            Renegotiate();
        }
        return null;
    }

    internal void Publish(MediaKind kind, uint ssrc, uint? rtxSsrc)
    {
        var existing = kind == MediaKind.Audio ? AudioProducer : VideoProducer;
        if (existing is not null) return; // a later answer repeats the same SSRC
        var producer = new Producer(this, kind, ssrc, rtxSsrc ?? (uint)Random.Shared.NextInt64(1, uint.MaxValue));
        if (kind == MediaKind.Audio) AudioProducer = producer; else VideoProducer = producer;
        Room.OnPublished(producer);
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
