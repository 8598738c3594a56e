using System.Diagnostics;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Conclave.Media.Dtls;

/// <summary>
/// One browser's DTLS handshake, as the server (a=setup:active on the browser's side).
/// BouncyCastle blocks while it waits for datagrams, so each session runs on its own
/// thread; the media loop only queues datagrams (<see cref="TryEnqueueDatagram"/>).
/// Before BouncyCastle sees anything, a stateless cookie exchange (HelloVerifyRequest,
/// RFC 6347 §4.2.1) proves the client can receive at its address. The thread ends
/// <see cref="FinalFlightLingerMs"/> after the handshake: SRTP needs nothing more of DTLS.
/// </summary>
public sealed class DtlsServerSession : IDisposable
{
    /// <summary>Chromium gives up on DTLS after ~30 s; 20 s leaves time to report why.</summary>
    public const int HandshakeTimeoutMs = 20_000;

    /// <summary>
    /// The server sends the handshake's last flight; if it is lost, the browser resends
    /// its own last flight until ours arrives (RFC 6347 §4.2.4), and BouncyCastle resends
    /// ours only while someone reads. Browsers back off from 1 s, doubling: 30 s covers
    /// five resends, well past the point where a browser would still be waiting.
    /// </summary>
    public const int FinalFlightLingerMs = 30_000;

    private readonly DtlsCertificate _certificate;
    private readonly byte[] _clientIdForCookie;
    private readonly bool _verifyCookie;
    private readonly QueuedDatagramTransport _transport;
    private readonly ManualResetEventSlim _fingerprintKnown = new(false);
    private volatile string? _expectedFingerprint;
    private volatile bool _disposed;
    private Thread? _thread;
    private int _reported;

    /// <param name="sendDatagram">Sends one datagram to the peer; called from the session's thread.</param>
    /// <param name="clientIdForCookie">The peer's address bytes: the cookie binds to them.</param>
    public DtlsServerSession(DtlsCertificate certificate, Action<ReadOnlyMemory<byte>> sendDatagram, byte[] clientIdForCookie, bool verifyCookie = true)
    {
        _certificate = certificate;
        _clientIdForCookie = clientIdForCookie;
        _verifyCookie = verifyCookie;
        _transport = new QueuedDatagramTransport(sendDatagram);
    }

    public DtlsSessionState State { get; private set; } = DtlsSessionState.Handshaking;

    /// <summary>Raised once, on the session's thread.</summary>
    public event Action<DtlsSrtpKeys>? HandshakeCompleted;

    /// <summary>Raised once, on the session's thread, with a reason free of secrets.</summary>
    public event Action<string>? HandshakeFailed;

    /// <summary>The a=fingerprint of the browser's SDP answer (RFC 5763 §5).</summary>
    public void SetExpectedClientFingerprint(string sha256Fingerprint)
    {
        _expectedFingerprint = sha256Fingerprint;
        _fingerprintKnown.Set();
    }

    public void Start()
    {
        _thread = new Thread(Run) { IsBackground = true, Name = "dtls-handshake" };
        _thread.Start();
    }

    /// <summary>Queues a datagram for the handshake; false when the queue is full or the session is over.</summary>
    public bool TryEnqueueDatagram(ReadOnlySpan<byte> datagram) => !_disposed && _transport.TryEnqueue(datagram);

    private void Run()
    {
        var crypto = new BcTlsCrypto(new SecureRandom());
        var server = new DtlsSrtpServer(crypto, _certificate, WaitForFingerprint, HandshakeTimeoutMs);
        try
        {
            DtlsRequest? request = _verifyCookie ? AwaitVerifiedClientHello(crypto) : null;
            if (request is null && _verifyCookie) return; // disposed or timed out: already reported
            var protocol = new DtlsServerProtocol();
            var dtls = protocol.Accept(server, _transport, request);
            var keys = server.Keys ?? throw new InvalidOperationException("the handshake completed without SRTP keys");
            State = DtlsSessionState.Connected;
            if (Interlocked.Exchange(ref _reported, 1) == 0) HandshakeCompleted?.Invoke(keys);
            LingerForRetransmissions(dtls);
        }
        catch (Exception e) when (!_disposed)
        {
            State = DtlsSessionState.Failed;
            Report(server.FailureReason ?? Describe(e));
        }
        catch (Exception)
        {
            // Disposed mid-handshake: nobody is waiting for an answer.
        }
    }

    /// <summary>Answers ClientHellos without a valid cookie with HelloVerifyRequest until one has it.</summary>
    private DtlsRequest? AwaitVerifiedClientHello(BcTlsCrypto crypto)
    {
        var verifier = new DtlsVerifier(crypto);
        var assembler = new ClientHelloAssembler();
        var deadline = Stopwatch.StartNew();
        while (deadline.ElapsedMilliseconds < HandshakeTimeoutMs)
        {
            var datagram = _transport.Take((int)Math.Max(1, HandshakeTimeoutMs - deadline.ElapsedMilliseconds));
            if (datagram is null) break;
            if (!assembler.TryAdd(datagram, out var record)) continue;
            var request = verifier.VerifyRequest(_clientIdForCookie, record!, 0, record!.Length, _transport);
            if (request is not null) return request;
        }
        State = DtlsSessionState.Failed;
        Report("no ClientHello with a valid cookie within 20 s");
        return null;
    }

    /// <summary>
    /// Keeps reading for <see cref="FinalFlightLingerMs"/> after the handshake, so that a
    /// resent final flight is answered; then stops reading, without a close_notify (the
    /// association carries on in SRTP). A close_notify from the browser ends it sooner.
    /// Datagrams that arrive later are refused (<see cref="TryEnqueueDatagram"/>).
    /// </summary>
    private void LingerForRetransmissions(DtlsTransport dtls)
    {
        var buffer = new byte[dtls.GetReceiveLimit()];
        var linger = Stopwatch.StartNew();
        try
        {
            while (!_disposed && linger.ElapsedMilliseconds < FinalFlightLingerMs)
            {
                dtls.Receive(buffer, 0, buffer.Length, 1000);
            }
        }
        catch (Exception)
        {
            // close_notify, or the session was disposed under us.
            State = DtlsSessionState.Closed;
        }
        _transport.Close();
    }

    private string? WaitForFingerprint(TimeSpan timeout)
    {
        _fingerprintKnown.Wait(timeout);
        return _expectedFingerprint;
    }

    private void Report(string reason)
    {
        if (Interlocked.Exchange(ref _reported, 1) == 0) HandshakeFailed?.Invoke(reason);
    }

    private static string Describe(Exception e) => e switch
    {
        TlsFatalAlertReceived received => $"the browser sent alert {AlertDescription.GetText(received.AlertDescription)}",
        TlsFatalAlert alert => $"handshake failed with alert {AlertDescription.GetText(alert.AlertDescription)}",
        TlsTimeoutException => "the handshake timed out",
        _ => e.GetType().Name,
    };

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        State = State == DtlsSessionState.Connected ? DtlsSessionState.Closed : State;
        _transport.Close();
        _fingerprintKnown.Set();
    }
}
