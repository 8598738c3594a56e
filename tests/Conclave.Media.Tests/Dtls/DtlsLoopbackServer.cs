using System.Net;
using System.Net.Sockets;
using Conclave.Media.Dtls;

namespace Conclave.Media.Tests.Dtls;

/// <summary>
/// One <see cref="DtlsServerSession"/> behind a UDP socket on loopback, fed the way the
/// media loop feeds it: every datagram from the first peer goes into the session.
/// </summary>
internal sealed class DtlsLoopbackServer : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
    private readonly Thread _receiver;
    private readonly TaskCompletionSource<DtlsSrtpKeys> _keys = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile bool _stopping;
    private DtlsServerSession? _session;

    private readonly Func<int, bool>? _dropSent;
    private readonly Func<int, bool>? _dropReceived;
    private int _sent;
    private int _received;

    /// <param name="dropSent">Given the index of an outgoing datagram, true to lose it (a lossy path).</param>
    /// <param name="dropReceived">The same for incoming datagrams.</param>
    public DtlsLoopbackServer(DtlsCertificate certificate, string? expectedClientFingerprint, Func<int, bool>? dropSent = null, Func<int, bool>? dropReceived = null)
    {
        _dropSent = dropSent;
        _dropReceived = dropReceived;
        Certificate = certificate;
        ExpectedClientFingerprint = expectedClientFingerprint;
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.ReceiveTimeout = 200;
        _receiver = new Thread(Receive) { IsBackground = true };
        _receiver.Start();
    }

    public DtlsCertificate Certificate { get; }
    public string? ExpectedClientFingerprint { get; }
    public int Port => ((IPEndPoint)_socket.LocalEndPoint!).Port;
    public Task<DtlsSrtpKeys> Keys => _keys.Task;
    public DtlsServerSession? Session => _session;

    public int DatagramsSent => _sent;

    private void Receive()
    {
        var buffer = new byte[65536];
        EndPoint from = new IPEndPoint(IPAddress.Any, 0);
        while (!_stopping)
        {
            int length;
            try { length = _socket.ReceiveFrom(buffer, ref from); }
            catch (SocketException) { continue; }
            catch (ObjectDisposedException) { return; }
            if (_session is null)
            {
                var peer = (IPEndPoint)from;
                _session = new DtlsServerSession(Certificate, datagram =>
                {
                    if (_dropSent?.Invoke(Interlocked.Increment(ref _sent) - 1) != true) _socket.SendTo(datagram.Span, peer);
                }, peer.Address.GetAddressBytes());
                _session.HandshakeCompleted += keys => _keys.TrySetResult(keys);
                _session.HandshakeFailed += reason => _keys.TrySetException(new InvalidOperationException(reason));
                if (ExpectedClientFingerprint is not null) _session.SetExpectedClientFingerprint(ExpectedClientFingerprint);
                _session.Start();
            }
            if (_dropReceived?.Invoke(_received++) == true) continue;
            _session.TryEnqueueDatagram(buffer.AsSpan(0, length));
        }
    }

    public void Dispose()
    {
        _stopping = true;
        _session?.Dispose();
        _socket.Dispose();
    }
}
