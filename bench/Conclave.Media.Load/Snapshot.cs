namespace Conclave.Media.Load;

/// <summary>Every counter a window is the difference of, read at one moment.</summary>
internal sealed record Snapshot(
    long MonotonicNs,
    long RealtimeNs,
    long Taken,
    long Forwarded,
    double[] LoopCpuSeconds,
    double GeneratorCpuSeconds,
    double ReceiverCpuSeconds,
    double SoftIrqCpuSeconds,
    double ProcessCpuSeconds,
    double MachineBusySeconds,
    double MachineTotalSeconds,
    long PlanePortDrops,
    long SubscriberPortDrops,
    long RcvbufErrors,
    long EgressDatagrams,
    long EgressSends,
    int Collections)
{
    /// <summary>
    /// Reads the plane's counters (its rooms' forwarded packets through the loops, as the console
    /// does; each producer's intake off-thread), the threads' CPU and the kernel's drop counts.
    /// </summary>
    public static Snapshot Take(LoadPlane? load, int generatorThread, int receiverThread, IReadOnlySet<int> planePorts, IReadOnlySet<int> subscriberPorts)
    {
        long taken = 0, forwarded = 0, egressDatagrams = 0, egressSends = 0;
        double[] loopCpu = [];
        if (load is not null)
        {
            foreach (var room in load.Rooms) taken += room.Producer.PacketsReceived;
            var stats = load.Plane.GetStatsAsync().WaitAsync(TimeSpan.FromSeconds(5)).GetAwaiter().GetResult();
            foreach (var room in stats.Rooms) forwarded += room.Forwarded.Packets;
            foreach (var shard in load.Plane.Shards)
            {
                var (datagrams, sends) = shard.Loop.EgressCounts;
                egressDatagrams += datagrams;
                egressSends += sends;
            }
            loopCpu = load.LoopThreadIds.Select(KernelCounters.ThreadCpuSeconds).ToArray();
        }
        var (busy, total) = KernelCounters.MachineCpuSeconds();
        return new Snapshot(Native.MonotonicNs(), Native.RealtimeNs(), taken, forwarded, loopCpu,
            generatorThread == 0 ? 0 : KernelCounters.ThreadCpuSeconds(generatorThread),
            receiverThread == 0 ? 0 : KernelCounters.ThreadCpuSeconds(receiverThread),
            KernelCounters.SoftIrqThreadsCpuSeconds(), KernelCounters.ProcessCpuSeconds(), busy, total,
            KernelCounters.SocketDrops(planePorts), KernelCounters.SocketDrops(subscriberPorts),
            KernelCounters.UdpCounters()["RcvbufErrors"], egressDatagrams, egressSends, GC.CollectionCount(0));
    }
}

/// <summary>What one window of a phase measured: the difference of two snapshots.</summary>
internal sealed record Window(Snapshot Start, Snapshot End)
{
    public double Seconds => (End.MonotonicNs - Start.MonotonicNs) / 1e9;
    public long Taken => End.Taken - Start.Taken;
    public long Forwarded => End.Forwarded - Start.Forwarded;
    public double[] LoopCpuSeconds => End.LoopCpuSeconds.Zip(Start.LoopCpuSeconds, (end, start) => end - start).ToArray();
    public double LoopsCpuSeconds => LoopCpuSeconds.Sum();
    public double GeneratorCpuSeconds => End.GeneratorCpuSeconds - Start.GeneratorCpuSeconds;
    public double ReceiverCpuSeconds => End.ReceiverCpuSeconds - Start.ReceiverCpuSeconds;
    public double SoftIrqCpuSeconds => End.SoftIrqCpuSeconds - Start.SoftIrqCpuSeconds;
    public double ProcessCpuSeconds => End.ProcessCpuSeconds - Start.ProcessCpuSeconds;

    /// <summary>Cores busy on the whole machine (this tool, the other tenants and the kernel), from /proc/stat.</summary>
    public double MachineBusyCores => (End.MachineBusySeconds - Start.MachineBusySeconds) /
        (End.MachineTotalSeconds - Start.MachineTotalSeconds) * Environment.ProcessorCount;

    /// <summary>Cores the rest of the machine used: other processes, and kernel work charged to no thread of this one.</summary>
    public double OtherCores => Math.Max(0, MachineBusyCores - (ProcessCpuSeconds + SoftIrqCpuSeconds) / Seconds);

    public long PlanePortDrops => End.PlanePortDrops - Start.PlanePortDrops;
    public long SubscriberPortDrops => End.SubscriberPortDrops - Start.SubscriberPortDrops;
    public long RcvbufErrors => End.RcvbufErrors - Start.RcvbufErrors;
    public long EgressDatagrams => End.EgressDatagrams - Start.EgressDatagrams;
    public long EgressSends => End.EgressSends - Start.EgressSends;
    public int Collections => End.Collections - Start.Collections;

    public double PerSecond(long count) => count / Seconds;

    /// <summary>Microseconds of <paramref name="cpuSeconds"/> per packet; NaN when there was none.</summary>
    public static double MicrosecondsPer(double cpuSeconds, long packets) => packets == 0 ? double.NaN : cpuSeconds * 1e6 / packets;
}
