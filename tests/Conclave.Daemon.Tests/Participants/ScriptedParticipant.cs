using Conclave.Media.Dtls;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Srtp;
using Conclave.Media.Transport;
using Conclave.Testing;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// A participant with a real WebRTC transport and no browser: it joins over WSS, answers
/// every offer (<see cref="AnswerWriter"/>), runs ICE as the controlling agent toward the
/// offer's host candidate (RFC 8445 §7.2.2, nominating with USE-CANDIDATE), the DTLS 1.2
/// handshake as client with use_srtp (RFC 5764), and SRTP with the exported keys. It can
/// publish a well-behaved synthetic stream, and send anything else a test scripts: RTP on
/// any SSRC, any RTCP, Binding requests from another socket.
/// <para>
/// One UDP socket, demultiplexed by a receive thread (RFC 7983): STUN responses complete
/// checks and the appliance's own checks are answered, DTLS feeds the handshake, and
/// every SRTP/SRTCP packet is unprotected and recorded in <see cref="Received"/>.
/// </para>
/// </summary>
internal sealed class ScriptedParticipant : IAsyncDisposable
{
    private static readonly TimeSpan DefaultWait = TimeSpan.FromSeconds(10);

    /// <summary>
    /// Consent freshness checks (RFC 7675 §5.1 sends one every 5 s ± 50 %); without
    /// USE-CANDIDATE, so they keep the nominated pair rather than choose one.
    /// </summary>
    private const int ConsentIntervalMs = 2_000;

    private const int CheckRetransmitMs = 100;

    private readonly ParticipantOptions _options;
    private readonly Socket _socket;
    private readonly SignallingChannel _signalling;
    private readonly DtlsCertificate _certificate = DtlsCertificate.CreateSelfSigned(); // a browser's certificate is self-signed too (RFC 8827 §6.5)
    private readonly string _localUfrag = RandomIceText(8);
    private readonly string _localPassword = RandomIceText(24);
    private readonly ulong _tieBreaker = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));
    private readonly Lock _lock = new();
    private readonly List<SentRtp> _sent = new();
    private readonly byte[] _rtpBuffer = new byte[2048];
    private readonly byte[] _srtpBuffer = new byte[2048];
    private readonly Thread _receiveThread;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Task _signallingLoop;
    private (uint? Audio, uint? Video, uint? Rtx) _announced;
    private ReceivedOffer? _latestOffer;
    private int _answeredRevision;
    private volatile HandshakeTransport? _handshake;
    private volatile SrtpContext? _inbound;
    private SrtpContext? _outbound;
    private volatile byte[]? _pendingCheck;
    private TaskCompletionSource _checkAnswered = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private SyntheticPublisher? _publisher;
    private Task? _consent;
    private volatile bool _disposed;

    private ScriptedParticipant(ParticipantOptions options, SignallingChannel signalling)
    {
        _options = options;
        _announced = (options.AudioSsrc, options.VideoSsrc, options.RtxSsrc);
        _signalling = signalling;
        _socket = new Socket(options.LocalAddress.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        _socket.Bind(new IPEndPoint(options.LocalAddress, 0));
        // Bursts (retransmissions above all) outrun one thread's unprotecting; the kernel caps this at rmem_max.
        _socket.ReceiveBufferSize = 8 * 1024 * 1024;
        // The receive thread wakes this often to notice disposal.
        _socket.ReceiveTimeout = 250;
        _receiveThread = new Thread(ReceiveLoop) { IsBackground = true, Name = "participant-receive" };
        _receiveThread.Start();
        _signallingLoop = Task.Run(() => _signalling.ReadAllAsync(OnMessageAsync));
    }

    /// <summary>
    /// Joins <paramref name="meetingId"/> as the account of <paramref name="sessionCookie"/>:
    /// join, the first offer answered and, unless <see cref="ParticipantOptions.ConnectMedia"/>
    /// is false, ICE, DTLS and SRTP up. Throws <see cref="SignallingRefusedException"/> if the
    /// appliance refuses (its error arrives before media is up).
    /// </summary>
    public static async Task<ScriptedParticipant> JoinAsync(Uri https, string meetingId, string sessionCookie, ParticipantOptions? options = null)
    {
        options ??= new ParticipantOptions();
        var participant = new ScriptedParticipant(options, await SignallingChannel.ConnectAsync(https, sessionCookie));
        try
        {
            await participant._signalling.SendAsync(JoinMessages.For(meetingId, options.DisplayName));
            await participant.WaitForAsync(() => participant._answeredRevision > 0, "the first offer answered");
            if (options.ConnectMedia) await participant.ConnectMediaAsync();
            return participant;
        }
        catch
        {
            await participant.DisposeAsync();
            throw;
        }
    }

    /// <summary>Written into every payload this participant makes (<see cref="SyntheticPayload"/>).</summary>
    public ulong OriginTag { get; } = BitConverter.ToUInt64(RandomNumberGenerator.GetBytes(8));

    /// <summary>The appliance's ICE host candidate, from the first offer.</summary>
    public IPEndPoint? Candidate { get; private set; }

    /// <summary>The SRTP profile the appliance chose in its use_srtp extension.</summary>
    public SrtpProfile? Profile => _inbound?.Profile;

    public ReceivedMedia Received { get; } = new();

    /// <summary>The error the appliance sent before closing signalling, if any.</summary>
    public SignallingError? Error { get; private set; }

    /// <summary>True once signalling has ended (the appliance closed it, or it failed).</summary>
    public bool SignallingClosed => _signallingLoop.IsCompleted;

    /// <summary>The participant id the appliance gave this participant (its <c>joined</c>); null before.</summary>
    public string? ParticipantId { get; private set; }

    /// <summary>
    /// The SSRC this participant receives <paramref name="publisher"/>'s camera or microphone under, by its
    /// latest offer: each subscriber's own (the appliance's consumers forward under SSRCs of their own); 0
    /// while it is not offered.
    /// </summary>
    public uint ForwardedSsrc(ScriptedParticipant publisher, MediaKind kind)
    {
        ReceivedOffer? offer;
        lock (_lock) offer = _latestOffer;
        if (offer is null || publisher.ParticipantId is null) return 0;
        string kindName = kind == MediaKind.Audio ? "audio" : "video";
        foreach (var track in offer.Tracks)
        {
            if (track.ParticipantId != publisher.ParticipantId || track.Kind != kindName || track.Source == "screen") continue;
            foreach (var section in offer.Parsed.Sections)
            {
                if (section.Mid == track.Mid) return section.Ssrc ?? 0;
            }
        }
        return 0;
    }

    public ReceivedOffer LatestOffer
    {
        get { lock (_lock) return _latestOffer ?? throw new InvalidOperationException("no offer yet"); }
    }

    /// <summary>Every RTP packet sent so far (by the publisher or by <see cref="SendRtp"/>).</summary>
    public IReadOnlyList<SentRtp> Sent()
    {
        lock (_lock) return _sent.ToArray();
    }

    /// <summary>The revision of the last offer answered.</summary>
    public int AnsweredRevision => Volatile.Read(ref _answeredRevision);

    // ---- media out ---------------------------------------------------------------

    /// <summary>Protects one RTP packet (fixed header, no extensions) and sends it to the appliance.</summary>
    public void SendRtp(byte payloadType, uint ssrc, ushort sequenceNumber, uint timestamp, ReadOnlySpan<byte> payload, bool marker)
    {
        lock (_lock)
        {
            var outbound = _outbound ?? throw new InvalidOperationException("SRTP is not up");
            if (!RtpWriter.TryWritePacket(_rtpBuffer, marker, payloadType, sequenceNumber, timestamp, ssrc, payload, out int length))
            {
                throw new ArgumentException("the RTP packet does not fit a datagram", nameof(payload));
            }
            var status = outbound.ProtectRtp(_rtpBuffer.AsSpan(0, length), _srtpBuffer, out int written);
            if (status != SrtpStatus.Ok) throw new InvalidOperationException($"SRTP protect failed: {status}");
            _socket.SendTo(_srtpBuffer.AsSpan(0, written), SocketFlags.None, Candidate!);
            _sent.Add(new SentRtp(ssrc, sequenceNumber, Environment.TickCount64));
        }
    }

    /// <summary>Protects a (compound or reduced-size) RTCP packet as SRTCP and sends it; returns the datagram's size.</summary>
    public int SendRtcp(ReadOnlySpan<byte> rtcp)
    {
        lock (_lock)
        {
            var outbound = _outbound ?? throw new InvalidOperationException("SRTP is not up");
            var status = outbound.ProtectRtcp(rtcp, _srtpBuffer, out int written);
            if (status != SrtpStatus.Ok) throw new InvalidOperationException($"SRTCP protect failed: {status}");
            _socket.SendTo(_srtpBuffer.AsSpan(0, written), SocketFlags.None, Candidate!);
            return written;
        }
    }

    /// <summary>
    /// Sends a Binding request signed with the appliance's current password, as this
    /// participant's checks are, but from <paramref name="otherSocket"/>: on loopback, a
    /// stand-in for a spoofed source address. Nothing waits for the response.
    /// </summary>
    public void SendBindingFrom(Socket otherSocket, bool useCandidate)
    {
        var offer = LatestOffer.Parsed;
        Span<byte> request = stackalloc byte[256];
        int length = IceCheck.WriteRequest(request, offer.IceUfrag, _localUfrag, offer.IcePassword, _tieBreaker, useCandidate, out _);
        otherSocket.SendTo(request[..length], SocketFlags.None, Candidate!);
    }

    /// <summary>Starts the synthetic camera and microphone on the announced SSRCs.</summary>
    public void StartPublishing()
    {
        if (_publisher is not null) throw new InvalidOperationException("already publishing");
        _publisher = new SyntheticPublisher(this, _announced.Audio, _announced.Video);
        _publisher.Start();
    }

    public async Task StopPublishingAsync()
    {
        if (Interlocked.Exchange(ref _publisher, null) is { } publisher) await publisher.StopAsync();
    }

    // ---- signalling ----------------------------------------------------------------

    /// <summary>What later answers announce on the publish mids (a re-answer with other SSRCs).</summary>
    public void Reannounce(uint? audioSsrc, uint? videoSsrc, uint? rtxSsrc)
    {
        lock (_lock) _announced = (audioSsrc, videoSsrc, rtxSsrc);
    }

    /// <summary>
    /// Asks for an ICE restart (docs/signalling.md <c>restart-ice</c>): the new offer is
    /// answered with what is announced now, and ICE nominates again with its credentials.
    /// </summary>
    public async Task RestartIceAsync()
    {
        int before = AnsweredRevision;
        await _signalling.SendAsync(new { type = "restart-ice" });
        await WaitForAsync(() => AnsweredRevision > before, "the restart's offer answered");
        if (_inbound is not null) await NominateAsync();
    }

    /// <summary>Sends <c>leave</c> and waits until the appliance has closed signalling.</summary>
    public async Task LeaveAsync()
    {
        await _signalling.SendAsync(new { type = "leave" });
        await _signallingLoop.WaitAsync(DefaultWait);
    }

    /// <summary>Polls <paramref name="condition"/>; throws if the appliance refused this participant or time ran out.</summary>
    public async Task WaitForAsync(Func<bool> condition, string what, TimeSpan? timeout = null)
    {
        var deadline = Environment.TickCount64 + (long)(timeout ?? DefaultWait).TotalMilliseconds;
        while (!condition())
        {
            if (Error is { } error) throw new SignallingRefusedException(error);
            if (Environment.TickCount64 > deadline) throw new TimeoutException($"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    private async Task OnMessageAsync(JsonElement message)
    {
        switch (message.GetProperty("type").GetString())
        {
            case "error":
                Error = new SignallingError(message.GetProperty("code").GetString()!, message.GetProperty("message").GetString()!);
                break;
            case "joined":
                ParticipantId = message.GetProperty("participantId").GetString();
                break;
            case "offer":
                await AnswerAsync(message);
                break;
        }
    }

    private async Task AnswerAsync(JsonElement message)
    {
        int revision = message.GetProperty("revision").GetInt32();
        string sdp = message.GetProperty("sdp").GetString()!;
        var publish = message.GetProperty("publish");
        var tracks = message.GetProperty("tracks").EnumerateArray()
            .Select(t => new OfferedTrack(t.GetProperty("mid").GetString()!, t.GetProperty("participantId").GetString()!,
                t.GetProperty("kind").GetString()!, t.GetProperty("source").GetString()!))
            .ToArray();
        var offer = new ReceivedOffer(revision, sdp, ApplianceOffer.Parse(sdp),
            publish.GetProperty("audio").GetString()!, publish.GetProperty("video").GetString()!, Environment.TickCount64, tracks);
        AnswerIdentity identity;
        lock (_lock)
        {
            _latestOffer = offer;
            Candidate ??= offer.Parsed.Candidate;
            identity = new AnswerIdentity(_localUfrag, _localPassword, _certificate.Sha256Fingerprint, Convert.ToHexStringLower(BitConverter.GetBytes(OriginTag)),
                _announced.Audio, _announced.Video, _announced.Rtx);
        }
        string answer = AnswerWriter.Write(offer.Parsed, offer.PublishAudioMid, offer.PublishVideoMid, identity, (ulong)revision);
        await _signalling.SendAsync(new { type = "answer", revision, sdp = answer });
        Volatile.Write(ref _answeredRevision, revision);
    }

    // ---- ICE, DTLS, SRTP -----------------------------------------------------------

    private async Task ConnectMediaAsync()
    {
        await NominateAsync();
        var offer = LatestOffer.Parsed;
        var transport = new HandshakeTransport(_socket, Candidate!);
        _handshake = transport;
        var client = new DtlsSrtpClient(new BcTlsCrypto(new SecureRandom()), _certificate, offer.DtlsFingerprint,
            _options.OfferedSrtpProfiles.Select(p => (int)p).ToArray());
        var connecting = Task.Factory.StartNew(() => new DtlsClientProtocol().Connect(client, transport), TaskCreationOptions.LongRunning);
        try
        {
            // A refusal in signalling ends the wait at once; the handshake then fails on its closed transport.
            await WaitForAsync(() => connecting.IsCompleted, "the DTLS handshake");
            await connecting;
        }
        finally
        {
            _handshake = null;
            transport.Close();
        }
        var keys = client.Keys ?? throw new InvalidOperationException("the DTLS handshake completed without SRTP keys");
        var profile = (SrtpProfile)keys.ProtectionProfile;
        // RFC 5764 §4.2: the DTLS client writes with the client key and reads with the server's.
        lock (_lock) _outbound = new SrtpContext(profile, keys.ClientMasterKey, keys.ClientMasterSalt);
        _inbound = new SrtpContext(profile, keys.ServerMasterKey, keys.ServerMasterSalt);
        _consent = Task.Run(KeepConsentAsync);
    }

    /// <summary>A Binding request with USE-CANDIDATE, retransmitted until the appliance answers it (RFC 8445 §7.2.2, §8.1.1).</summary>
    private async Task NominateAsync()
    {
        var deadline = Environment.TickCount64 + (long)DefaultWait.TotalMilliseconds;
        byte[] request = new byte[256];
        while (true)
        {
            var offer = LatestOffer.Parsed;
            int length = IceCheck.WriteRequest(request, offer.IceUfrag, _localUfrag, offer.IcePassword, _tieBreaker, useCandidate: true, out var transactionId);
            _checkAnswered = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _pendingCheck = transactionId;
            _socket.SendTo(request.AsSpan(0, length), SocketFlags.None, Candidate!);
            if (await Task.WhenAny(_checkAnswered.Task, Task.Delay(CheckRetransmitMs)) == _checkAnswered.Task) return;
            if (Error is { } error) throw new SignallingRefusedException(error);
            if (Environment.TickCount64 > deadline) throw new TimeoutException("the appliance never answered a connectivity check");
        }
    }

    private async Task KeepConsentAsync()
    {
        byte[] request = new byte[256];
        while (!_stopping.IsCancellationRequested)
        {
            try
            {
                await Task.Delay(ConsentIntervalMs, _stopping.Token);
            }
            catch (OperationCanceledException)
            {
                return;
            }
            var offer = LatestOffer.Parsed;
            int length = IceCheck.WriteRequest(request, offer.IceUfrag, _localUfrag, offer.IcePassword, _tieBreaker, useCandidate: false, out _);
            try
            {
                _socket.SendTo(request.AsSpan(0, length), SocketFlags.None, Candidate!);
            }
            catch (ObjectDisposedException)
            {
                return;
            }
        }
    }

    private void ReceiveLoop()
    {
        var buffer = new byte[65536];
        var plain = new byte[65536];
        var response = new byte[256];
        var from = new SocketAddress(_socket.AddressFamily);
        while (!_disposed)
        {
            int received;
            try
            {
                received = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            }
            catch (SocketException) when (!_disposed)
            {
                continue; // an ICMP error reported on receive (Linux): the datagram is gone
            }
            catch (Exception e) when (e is SocketException or ObjectDisposedException)
            {
                return;
            }
            var datagram = buffer.AsSpan(0, received);
            switch (DatagramClassifier.Classify(datagram))
            {
                case DatagramKind.Stun:
                    OnStun(datagram, from, response);
                    break;
                case DatagramKind.Dtls:
                    _handshake?.Enqueue(datagram);
                    break;
                case DatagramKind.Rtp when _inbound is { } inbound:
                    Received.OnSrtp(datagram);
                    var rtpStatus = inbound.UnprotectRtp(datagram, plain, out int rtpLength);
                    if (rtpStatus == SrtpStatus.Ok) Received.OnRtp(plain.AsSpan(0, rtpLength), received, Environment.TickCount64);
                    else Received.OnRefused(rtpStatus);
                    break;
                case DatagramKind.Rtcp when _inbound is { } inbound:
                    var rtcpStatus = inbound.UnprotectRtcp(datagram, plain, out int rtcpLength);
                    if (rtcpStatus == SrtpStatus.Ok) Received.OnRtcp(plain.AsSpan(0, rtcpLength));
                    else Received.OnRefused(rtcpStatus);
                    break;
            }
        }
    }

    private void OnStun(ReadOnlySpan<byte> datagram, SocketAddress from, byte[] response)
    {
        string? password;
        lock (_lock) password = _latestOffer?.Parsed.IcePassword;
        if (password is not null && _pendingCheck is { } transactionId && IceCheck.IsSuccessFor(datagram, transactionId, password))
        {
            _pendingCheck = null;
            _checkAnswered.TrySetResult();
            return;
        }
        // RFC 7675 §5.1: an agent answers consent checks on a pair it uses.
        int length = IceCheck.WriteResponseTo(datagram, from, _localUfrag, _localPassword, response);
        if (length > 0) _socket.SendTo(response.AsSpan(0, length), SocketFlags.None, from);
    }

    private static string RandomIceText(int length)
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    public async ValueTask DisposeAsync()
    {
        if (_disposed) return;
        await StopPublishingAsync();
        await _stopping.CancelAsync();
        if (_consent is not null) await _consent;
        if (!SignallingClosed)
        {
            try
            {
                await LeaveAsync();
            }
            catch (Exception e) when (e is TimeoutException or System.Net.WebSockets.WebSocketException)
            {
                // Going anyway: aborting the socket below is a leave too.
            }
        }
        await _signalling.DisposeAsync();
        await _signallingLoop;
        _disposed = true;
        _socket.Dispose();
        _receiveThread.Join();
        _inbound?.Dispose();
        _outbound?.Dispose();
    }
}
