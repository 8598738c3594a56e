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

    /// <summary>Called at least every <see cref="MediaEventLoop.TickMs"/> for timers, while <see cref="HasTimers"/>.</summary>
    void OnTick(long nowMs);

    /// <summary>
    /// Whether <see cref="OnTick"/> has anything to time now. A loop whose handler has not waits for
    /// a datagram or a command without a timeout, instead of waking every tick for nothing.
    /// </summary>
    bool HasTimers { get; }
}
