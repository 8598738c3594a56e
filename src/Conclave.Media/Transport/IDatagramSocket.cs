using System.Net;

namespace Conclave.Media.Transport;

/// <summary>
/// The media port as the event loop sees it: one datagram socket that every peer shares
/// (RFC 7983 tells apart what arrives on it). Production binds UDP (<see cref="UdpDatagramSocket"/>);
/// tests connect sockets in memory, so the SFU runs without the kernel.
/// </summary>
public interface IDatagramSocket : IDisposable
{
    /// <summary>The address datagrams arrive at.</summary>
    IPEndPoint LocalEndPoint { get; }

    /// <summary>
    /// Blocks up to <paramref name="timeoutMs"/> (<see cref="Timeout.Infinite"/>: no limit) until a
    /// datagram waits or <see cref="Wake"/> is called; false when no datagram came.
    /// </summary>
    bool WaitToReceive(int timeoutMs);

    /// <summary>
    /// Ends a <see cref="WaitToReceive"/> in progress, or the next one, early: how a loop that
    /// sleeps without a timeout runs a command another thread posted. Safe from any thread, also
    /// once disposed.
    /// </summary>
    void Wake();

    /// <summary>
    /// Takes the next waiting datagram without blocking: its bytes into <paramref name="buffer"/>,
    /// its sender into <paramref name="from"/>. False when none waits.
    /// </summary>
    bool TryReceiveFrom(Span<byte> buffer, SocketAddress from, out int length);

    /// <summary>
    /// Sends one datagram; false when it could not be handed on (a full buffer, an unreachable
    /// address). Safe from any thread: the DTLS threads send too.
    /// </summary>
    bool TrySendTo(ReadOnlySpan<byte> datagram, SocketAddress to);

    /// <summary>
    /// Sends consecutive datagrams to one address: <paramref name="segments"/> holds them back to
    /// back, each <paramref name="segmentBytes"/> long but the last, which may be shorter (the rule of
    /// Linux's UDP generic segmentation offload, udp(7) UDP_SEGMENT). False when any was not handed on.
    /// Loop thread only. Without an offload, one send per datagram.
    /// </summary>
    bool TrySendSegments(ReadOnlySpan<byte> segments, int segmentBytes, SocketAddress to) =>
        SendEach(this, segments, segmentBytes, to);

    /// <summary>
    /// Every later datagram from <paramref name="remote"/> arrives at this socket rather than at
    /// another media loop's socket of the same port (<see cref="UdpDatagramSocket.Steer"/>).
    /// Loop thread only. A port only one loop holds needs nothing.
    /// </summary>
    void Steer(SocketAddress remote) { }

    /// <summary>Undoes <see cref="Steer"/>: the remote left. Loop thread only.</summary>
    void Unsteer(SocketAddress remote) { }

    /// <summary>A run of segments as one <see cref="TrySendTo"/> per datagram.</summary>
    static bool SendEach(IDatagramSocket socket, ReadOnlySpan<byte> segments, int segmentBytes, SocketAddress to)
    {
        bool all = true;
        for (int offset = 0; offset < segments.Length; offset += segmentBytes)
        {
            all &= socket.TrySendTo(segments.Slice(offset, Math.Min(segmentBytes, segments.Length - offset)), to);
        }
        return all;
    }
}
