using BenchmarkDotNet.Attributes;
using Conclave.Media.Sfu;

namespace Conclave.Media.Benchmarks;

/// <summary>
/// What tracking a publisher's loss costs each video packet that arrives in order, the
/// common case: one sequence-number step and a bit set in the window, nothing missing.
/// (The tick's check for NACKs due when nothing is missing is one comparison, below what
/// a benchmark can tell from an empty method.)
/// </summary>
[MemoryDiagnoser]
public class LossTrackerBenchmarks
{
    private const int BatchPackets = 4096;
    private const long NowMs = 1_000_000;

    private readonly LossTracker _tracker = new();
    private ushort _nextSequence;

    [Benchmark(OperationsPerInvoke = BatchPackets)]
    public int InOrderPacket()
    {
        int newest = 0;
        for (int i = 0; i < BatchPackets; i++)
        {
            if (_tracker.OnReceived(_nextSequence++, retransmitted: false, NowMs) == PacketArrival.Newest) newest++;
        }
        return newest;
    }
}
