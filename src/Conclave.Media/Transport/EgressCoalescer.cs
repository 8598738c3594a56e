using System.Net;

namespace Conclave.Media.Transport;

/// <summary>
/// Holds the media datagrams one turn of the loop sends to each address and hands them to the
/// socket as one segmented send per run of equal sizes (<see cref="IDatagramSocket.TrySendSegments"/>).
/// A video frame's packets to one subscriber are such a run — libwebrtc cuts a frame into packets
/// of one size but the last — and the kernel's per-send cost, about 2.7 µs on this hardware, is
/// then paid once per run instead of once per packet (README, "Speed").
/// Order to one address is kept: a datagram that cannot join its address's run sends the run first.
/// NOTE: loop thread only; the addresses given must not change while held (a peer's selected
/// address is a copy that never does).
/// </summary>
internal sealed class EgressCoalescer
{
    /// <summary>Linux refuses more segments per send (UDP_MAX_SEGMENTS is 64 in older kernels, 128 since 5.x).</summary>
    internal const int MaxSegments = 64;

    /// <summary>One send's payload stays under the 65,507 bytes a UDP datagram over IPv4 can carry.</summary>
    internal const int MaxRunBytes = 65_000;

    /// <summary>Addresses held at once; beyond this, everything held is sent first. A room of 64 subscribers fills it.</summary>
    internal const int MaxAddresses = 64;

    private readonly IDatagramSocket _socket;   // Passed by argument.
    private readonly Action<int> _countFailedSends;   // Passed by argument: datagrams not handed on.
    private readonly Run[] _runs = new Run[MaxAddresses];
    private int _activeRuns;

    public EgressCoalescer(IDatagramSocket socket, Action<int> countFailedSends)
    {
        _socket = socket;
        _countFailedSends = countFailedSends;
        for (int i = 0; i < _runs.Length; i++) _runs[i] = new Run();
    }

    /// <summary>Datagrams handed to the socket, and the sends that carried them (for the stats).</summary>
    public long DatagramsSent { get; private set; }
    public long SendCalls { get; private set; }

    /// <summary>Holds <paramref name="datagram"/> for <paramref name="to"/> until <see cref="Flush"/> or its run ends.</summary>
    public void Add(ReadOnlySpan<byte> datagram, SocketAddress to)
    {
        if (datagram.Length == 0 || datagram.Length > MaxRunBytes)
        {
            Send(datagram, datagram.Length, 1, to);
            return;
        }
        var run = RunFor(to);
        if (!run.CanTake(datagram.Length))
        {
            SendRun(run);
        }
        run.Take(datagram);
    }

    /// <summary>Sends everything held; the loop calls it before it waits and after each burst it received.</summary>
    public void Flush()
    {
        for (int i = 0; i < _activeRuns; i++)
        {
            SendRun(_runs[i]);
            _runs[i].Address = null;
        }
        _activeRuns = 0;
    }

    private Run RunFor(SocketAddress to)
    {
        for (int i = 0; i < _activeRuns; i++)
        {
            if (ReferenceEquals(_runs[i].Address, to)) return _runs[i];
        }
        if (_activeRuns == MaxAddresses) Flush();
        var run = _runs[_activeRuns++];
        run.Address = to;
        return run;
    }

    private void SendRun(Run run)
    {
        if (run.Count == 0) return;
        Send(run.Bytes.AsSpan(0, run.Length), run.SegmentBytes, run.Count, run.Address!);
        run.Reset();
    }

    private void Send(ReadOnlySpan<byte> segments, int segmentBytes, int count, SocketAddress to)
    {
        SendCalls++;
        DatagramsSent += count;
        bool sent = count == 1 ? _socket.TrySendTo(segments, to) : _socket.TrySendSegments(segments, segmentBytes, to);
        if (!sent) _countFailedSends(count);
    }

    /// <summary>Datagrams held for one address: equal sizes, the last possibly shorter.</summary>
    private sealed class Run
    {
        public readonly byte[] Bytes = GC.AllocateUninitializedArray<byte>(MaxRunBytes, pinned: true);
        public SocketAddress? Address;
        public int Length;
        public int Count;
        public int SegmentBytes;
        private bool _endsShort;

        public bool CanTake(int bytes) =>
            Count == 0 ||
            (!_endsShort && bytes <= SegmentBytes && Count < MaxSegments && Length + bytes <= MaxRunBytes);

        public void Take(ReadOnlySpan<byte> datagram)
        {
            if (Count == 0) SegmentBytes = datagram.Length;
            else if (datagram.Length < SegmentBytes) _endsShort = true;
            datagram.CopyTo(Bytes.AsSpan(Length));
            Length += datagram.Length;
            Count++;
        }

        public void Reset()
        {
            Length = Count = SegmentBytes = 0;
            _endsShort = false;
        }
    }
}
