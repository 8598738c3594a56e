using System.Net;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Transport;

/// <summary>
/// Datagram sockets connected in memory (as pion's transport/test Bridge connects two
/// conns): a send is in the receiver's queue before it returns, so a test that turns
/// the media loop by hand sees every datagram at once, and no kernel is involved.
/// Each socket gets the next loopback port; a datagram to a port nobody holds is lost, as UDP's would be.
/// </summary>
internal sealed class InMemoryDatagramNetwork
{
    private readonly Lock _lock = new();
    private readonly Dictionary<SocketAddress, InMemoryDatagramSocket> _sockets = new();
    private int _nextPort = 20_000;

    public InMemoryDatagramSocket Open()
    {
        lock (_lock)
        {
            var socket = new InMemoryDatagramSocket(this, new IPEndPoint(IPAddress.Loopback, _nextPort++));
            _sockets.Add(socket.Address, socket);
            return socket;
        }
    }

    internal void Carry(ReadOnlySpan<byte> datagram, SocketAddress from, SocketAddress to)
    {
        InMemoryDatagramSocket? receiver;
        lock (_lock) _sockets.TryGetValue(to, out receiver);
        receiver?.Arrive(datagram, from);
    }

    internal void Close(InMemoryDatagramSocket socket)
    {
        lock (_lock) _sockets.Remove(socket.Address);
    }
}

/// <summary>
/// One socket of an <see cref="InMemoryDatagramNetwork"/>. Its receive queue is allocated
/// once, so sending and receiving allocate nothing; a datagram that finds the queue full
/// is lost, as in a kernel's full receive buffer.
/// </summary>
internal sealed class InMemoryDatagramSocket : IDatagramSocket
{
    public const int QueueCapacity = 256;
    public const int MaxDatagramBytes = 2048;

    private readonly InMemoryDatagramNetwork _network;
    private readonly Lock _lock = new();
    private readonly byte[] _slots = new byte[QueueCapacity * MaxDatagramBytes];
    private readonly int[] _lengths = new int[QueueCapacity];
    private readonly SocketAddress[] _senders = new SocketAddress[QueueCapacity];
    private readonly ManualResetEventSlim _waiting = new(false);
    private int _head;
    private int _count;
    private volatile bool _disposed;

    internal InMemoryDatagramSocket(InMemoryDatagramNetwork network, IPEndPoint endPoint)
    {
        _network = network;
        LocalEndPoint = endPoint;
        Address = endPoint.Serialize();
        for (int i = 0; i < QueueCapacity; i++) _senders[i] = new SocketAddress(endPoint.AddressFamily);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary><see cref="LocalEndPoint"/> as the receiver of a datagram from here sees it.</summary>
    public SocketAddress Address { get; }

    /// <summary>Given a datagram arriving here, true to lose it on the way (a lossy path).</summary>
    public Func<ReadOnlySpan<byte>, bool>? LoseIncoming { get; set; }

    public bool WaitToReceive(int timeoutMs)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (!_waiting.Wait(timeoutMs)) return false;
        lock (_lock)
        {
            // Set by Wake with nothing queued: woken, but no datagram came.
            if (_count > 0 || _disposed) return true;
            _waiting.Reset();
            return false;
        }
    }

    public void Wake() => _waiting.Set();

    public bool TryReceiveFrom(Span<byte> buffer, SocketAddress from, out int length)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        lock (_lock)
        {
            length = 0;
            if (_count == 0) return false;
            var sender = _senders[_head];
            sender.Buffer.Span[..sender.Size].CopyTo(from.Buffer.Span);
            from.Size = sender.Size;
            length = Math.Min(_lengths[_head], buffer.Length);
            _slots.AsSpan(_head * MaxDatagramBytes, length).CopyTo(buffer);
            _head = (_head + 1) % QueueCapacity;
            if (--_count == 0) _waiting.Reset();
            return true;
        }
    }

    public bool TrySendTo(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (datagram.Length > MaxDatagramBytes) return false; // EMSGSIZE
        _network.Carry(datagram, Address, to);
        return true;
    }

    internal void Arrive(ReadOnlySpan<byte> datagram, SocketAddress from)
    {
        if (LoseIncoming?.Invoke(datagram) == true) return;
        lock (_lock)
        {
            if (_count == QueueCapacity) return;
            int tail = (_head + _count) % QueueCapacity;
            datagram.CopyTo(_slots.AsSpan(tail * MaxDatagramBytes));
            _lengths[tail] = datagram.Length;
            from.Buffer.Span[..from.Size].CopyTo(_senders[tail].Buffer.Span);
            _senders[tail].Size = from.Size;
            _count++;
            _waiting.Set();
        }
    }

    public void Dispose()
    {
        if (_disposed) return;
        _disposed = true;
        _network.Close(this);
        _waiting.Set(); // a receiver blocked in WaitToReceive wakes up and finds the socket closed
    }
}
