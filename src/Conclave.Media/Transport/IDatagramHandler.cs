using System.Net;

namespace Conclave.Media.Transport;

/// <summary>What the event loop calls, always on its own thread.</summary>
public interface IDatagramHandler
{
    /// <summary>
    /// One received datagram. NOTE: <paramref name="datagram"/> and <paramref name="from"/>
    /// are the loop's buffers, valid only during the call; the handler may decrypt in place.
    /// </summary>
    void OnDatagram(Span<byte> datagram, SocketAddress from, long nowMs);

    /// <summary>Called at least every <see cref="MediaEventLoop.TickMs"/> for timers.</summary>
    void OnTick(long nowMs);
}
