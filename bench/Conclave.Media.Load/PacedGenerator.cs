namespace Conclave.Media.Load;

/// <summary>
/// Sends at a fixed rate in bursts of <c>burst</c> packets (a frame's, as a pacer with a burst
/// allowance sends one), the bursts evenly spaced and taking turns over the streams. A burst is
/// sealed, then leaves in one segmented send (UDP_SEGMENT, udp(7); 1 is a plain sendto), so its
/// packets reach the receiving socket together and the generator's cost stays small beside the
/// loops'. Every packet of the burst has the send time CLOCK_REALTIME read right before that send,
/// kept by index so the receiver can subtract it from the kernel's receive timestamp. A generator
/// that wakes late sends what it owes at once, within <see cref="MaxDebtBursts"/>.
/// </summary>
internal sealed class PacedGenerator : ToolThread
{
    private const int MaxDebtBursts = 64;

    private readonly IReadOnlyList<VideoStream> _streams;
    private readonly double _packetsPerSecond;
    private readonly int _burst;
    private readonly long[][] _sendNs;
    private readonly long[] _firstIndex;
    private long _sent;
    private long _refused;

    /// <param name="packetsPerSecond">Every stream together.</param>
    /// <param name="seconds">The longest the generator may run: its send times are kept for that long.</param>
    /// <param name="cpu">The CPU the thread pins itself to before its first packet; -1 for none.</param>
    public PacedGenerator(IReadOnlyList<VideoStream> streams, double packetsPerSecond, int burst, double seconds, int cpu)
        : base("load-paced", cpu)
    {
        _streams = streams;
        _packetsPerSecond = packetsPerSecond;
        _burst = burst;
        int capacity = (int)(packetsPerSecond / streams.Count * seconds) + MaxDebtBursts * burst;
        _sendNs = streams.Select(_ => new long[capacity]).ToArray();
        _firstIndex = streams.Select(stream => stream.NextIndex).ToArray();
    }

    /// <summary>When each packet of stream <c>s</c> left: <c>SendNs(s)[index - FirstIndex(s)]</c>, 0 if it did not.</summary>
    public long[] SendNs(int stream) => _sendNs[stream];

    public long FirstIndex(int stream) => _firstIndex[stream];

    public long Sent => Interlocked.Read(ref _sent);

    public long Refused => Interlocked.Read(ref _refused);

    public long AllocatedBytes { get; private set; }

    protected override void Work()
    {
        Native.TightenTimerSlack();
        var run = GC.AllocateUninitializedArray<byte>(_burst * VideoStream.SrtpBytes, pinned: true);
        long intervalNs = (long)(_burst * 1e9 / _packetsPerSecond);
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        long next = Native.MonotonicNs();
        int turn = 0;
        Ready();
        while (!Stopping)
        {
            if (!SendBurst(turn, run)) break;
            turn = (turn + 1) % _streams.Count;
            next += intervalNs;
            long now = Native.MonotonicNs();
            if (now - next > MaxDebtBursts * intervalNs) next = now - MaxDebtBursts * intervalNs;
            if (next > now) Native.SleepUntil(next);
        }
        AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
    }

    /// <summary>False once the stream's send times are full: the generator ran longer than it was made for.</summary>
    private bool SendBurst(int stream, byte[] run)
    {
        var camera = _streams[stream];
        var sendNs = _sendNs[stream];
        long firstSlot = camera.NextIndex - _firstIndex[stream];
        if (firstSlot + _burst > sendNs.Length) return false;
        for (int i = 0; i < _burst; i++) camera.SealNext(run.AsSpan(i * VideoStream.SrtpBytes, VideoStream.SrtpBytes));
        // Kept before the send: the receiver may see the packets before the send returns.
        long now = Native.RealtimeNs();
        for (int i = 0; i < _burst; i++) sendNs[firstSlot + i] = now;
        if (camera.Socket.TrySendSegments(run.AsSpan(0, _burst * VideoStream.SrtpBytes), VideoStream.SrtpBytes, camera.Destination))
        {
            Interlocked.Add(ref _sent, _burst);
        }
        else
        {
            for (int i = 0; i < _burst; i++) sendNs[firstSlot + i] = 0;
            Interlocked.Add(ref _refused, _burst);
        }
        return true;
    }
}
