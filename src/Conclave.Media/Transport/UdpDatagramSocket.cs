using System.Net;
using System.Net.Sockets;

namespace Conclave.Media.Transport;

/// <summary>The media port on a UDP socket of the kernel.</summary>
public sealed class UdpDatagramSocket : IDatagramSocket
{
    /// <summary>
    /// Bursts of key frames from four publishers arrive faster than one poll cycle;
    /// 4 MiB of kernel buffer keeps them (the kernel caps it at rmem_max).
    /// </summary>
    private const int KernelBufferBytes = 4 * 1024 * 1024;

    private readonly Socket _socket;     // Allocated by this.
    private bool _pollSaidReadable;      // Only the loop thread receives.

    private UdpDatagramSocket(Socket socket)
    {
        _socket = socket;
        LocalEndPoint = (IPEndPoint)socket.LocalEndPoint!;
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>Binds <paramref name="endPoint"/>; throws <see cref="SocketException"/> when it is in use or not local.</summary>
    public static UdpDatagramSocket Bind(IPEndPoint endPoint)
    {
        var socket = new Socket(endPoint.AddressFamily, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            socket.Bind(endPoint);
            socket.ReceiveBufferSize = KernelBufferBytes;
            socket.SendBufferSize = KernelBufferBytes;
            return new UdpDatagramSocket(socket);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    public bool WaitToReceive(int timeoutMs) => _pollSaidReadable = _socket.Poll(timeoutMs * 1000, SelectMode.SelectRead);

    public bool TryReceiveFrom(Span<byte> buffer, SocketAddress from, out int length)
    {
        // After a poll that said readable, receive even when Available is 0: what waits may
        // be an empty datagram, which must be taken or the poll would say readable forever.
        bool readable = _pollSaidReadable;
        _pollSaidReadable = false;
        while (readable || _socket.Available > 0)
        {
            readable = false;
            try
            {
                length = _socket.ReceiveFrom(buffer, SocketFlags.None, from);
                return true;
            }
            catch (SocketException)
            {
                // Linux reports an earlier send's ICMP port-unreachable on the next
                // receive (ECONNREFUSED); the datagram it refers to is already gone.
            }
        }
        length = 0;
        return false;
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
