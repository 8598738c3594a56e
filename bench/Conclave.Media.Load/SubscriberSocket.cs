using System.Net;
using System.Net.Sockets;
using Conclave.Media.Transport;

namespace Conclave.Media.Load;

/// <summary>
/// A subscriber's UDP socket on 127.0.0.1: what the harness browser needs to answer ICE and
/// consent checks, and the descriptor the receiver reads with recvmmsg and kernel receive
/// timestamps (SO_TIMESTAMPNS, socket(7)), which <see cref="UdpDatagramSocket"/> does not expose.
/// </summary>
internal sealed class SubscriberSocket : IDatagramSocket
{
    // Linux: SOL_SOCKET, SO_TIMESTAMPNS (asm-generic/socket.h, SO_TIMESTAMPNS_OLD on 64-bit).
    public const int SolSocket = 1;
    public const int SoTimestampNs = 35;

    private readonly Socket _socket = new(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);

    public SubscriberSocket()
    {
        _socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        _socket.Blocking = false;
        LocalEndPoint = (IPEndPoint)_socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The kernel's descriptor; valid while this socket is not disposed.</summary>
    public int Descriptor => (int)_socket.SafeHandle.DangerousGetHandle();

    /// <summary>SO_RCVBUF (the kernel doubles it, and caps it at net.core.rmem_max).</summary>
    public void SetReceiveBuffer(int bytes) => _socket.ReceiveBufferSize = bytes;

    /// <summary>Every datagram from now on carries the CLOCK_REALTIME time the kernel received it at.</summary>
    public void EnableReceiveTimestamps() => _socket.SetRawSocketOption(SolSocket, SoTimestampNs, BitConverter.GetBytes(1));

    public bool WaitToReceive(int timeoutMs) => _socket.Poll(timeoutMs * 1000, SelectMode.SelectRead);

    /// <summary>Nothing blocks in <see cref="WaitToReceive"/> long enough to need waking.</summary>
    public void Wake() { }

    public bool TryReceiveFrom(Span<byte> buffer, SocketAddress from, out int length)
    {
        length = 0;
        if (_socket.Available == 0) return false;
        try
        {
            length = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.ConnectionRefused)
        {
            return false;
        }
    }

    public bool TrySendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        try
        {
            _socket.SendTo(datagram, SocketFlags.None, to);
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    public void Dispose() => _socket.Dispose();
}
