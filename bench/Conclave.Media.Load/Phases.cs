using System.Net;
using System.Security.Cryptography;
using Conclave.Media.Diagnostics;
using Conclave.Media.Srtp;
using Conclave.Media.Transport;

namespace Conclave.Media.Load;

/// <summary>The saturation phase's figures for one plane.</summary>
internal sealed record SaturationResult(int Loops, int Round, Window Window, long Offered, long Refused, long GeneratorAllocatedBytes, bool GeneratorPrioritised,
    IReadOnlyList<int> RoomsPerLoop, long HandedOff, IReadOnlyDictionary<DropReason, long> Drops)
{
    public double TakenPerSecond => Window.PerSecond(Window.Taken);
    public double ForwardedPerSecond => Window.PerSecond(Window.Forwarded);
    public double OfferedPerSecond => Window.PerSecond(Offered);
    public double LoopMicrosecondsPerForwarded => Window.MicrosecondsPer(Window.LoopsCpuSeconds, Window.Forwarded);
    public double LoopMicrosecondsPerTaken => Window.MicrosecondsPer(Window.LoopsCpuSeconds, Window.Taken);
    public double GeneratorMicrosecondsPerOffered => Window.MicrosecondsPer(Window.GeneratorCpuSeconds, Offered);

    /// <summary>The share of the offer the kernel dropped at the media port: about 1 − 1/offer when the loops are the bottleneck, near 0 when the generator is.</summary>
    public double PortDropShare => Offered == 0 ? 0 : (double)Window.PlanePortDrops / Offered;
}

/// <summary>The latency phase's figures: through the SFU with <see cref="Loops"/> loops, or 0 for the direct floor.</summary>
internal sealed record LatencyResult(int Loops, int Round, Window Window, double PacketsPerSecond, long Expected, long Received,
    long Unmatched, double P50Us, double P99Us, double P999Us, double MaxUs, long GeneratorAllocatedBytes, IReadOnlyDictionary<DropReason, long> Drops)
{
    public long Lost => Expected - Received;
    public double LoopMicrosecondsPerForwarded => Window.MicrosecondsPer(Window.LoopsCpuSeconds, Window.Forwarded);
}

/// <summary>The three phases of a round, each on a plane (or sockets) of its own.</summary>
internal static class Phases
{
    /// <summary>
    /// Subscribers of the saturation phase are never read: the smallest receive buffer the kernel
    /// allows, so what the loops send is dropped at the socket at once (counted per socket) and no
    /// reader competes with the loops for the two cores. Forwarded packets are counted by the plane.
    /// </summary>
    private const int UnreadReceiveBufferBytes = 1;

    /// <summary>Read subscribers hold tens of milliseconds of their stream between reads (capped at net.core.rmem_max).</summary>
    private const int ReadReceiveBufferBytes = 4 * 1024 * 1024;

    public static SaturationResult Saturate(int loops, int round, LoadOptions options)
    {
        using var load = LoadPlane.Open(loops, options.Rooms, options.Subscribers);
        foreach (var socket in load.Rooms.SelectMany(room => room.SubscriberSockets)) socket.SetReceiveBuffer(UnreadReceiveBufferBytes);
        var planePorts = new HashSet<int> { load.Port };
        var subscriberPorts = load.SubscriberPorts;
        if (options.Pin) PinLoops(load);
        using var generator = new SaturationGenerator(load.Rooms, options.Offer, options.Batch, options.Pin ? ToolCpu : -1);
        GC.Collect();
        generator.Start();
        Sleep(options.WarmupSeconds);
        long offeredAtStart = generator.Offered, refusedAtStart = generator.Refused;
        var start = Snapshot.Take(load, generator.ThreadId, 0, planePorts, subscriberPorts);
        Sleep(options.WindowSeconds);
        var end = Snapshot.Take(load, generator.ThreadId, 0, planePorts, subscriberPorts);
        long offered = generator.Offered - offeredAtStart, refused = generator.Refused - refusedAtStart;
        generator.Stop();
        long handedOff = load.Plane.Shards.Sum(shard => shard.DatagramsHandedOff);
        return new SaturationResult(loops, round, new Window(start, end), offered, refused, generator.AllocatedBytes, generator.Prioritised,
            load.RoomsPerLoop, handedOff, load.Plane.Drops.Snapshot());
    }

    /// <summary>
    /// Subscribers read with kernel timestamps (<see cref="LoadOptions.Read"/> a room) while the
    /// publishers send at <paramref name="packetsPerSecond"/> in all.
    /// </summary>
    public static LatencyResult ThroughSfu(int loops, int round, double packetsPerSecond, LoadOptions options)
    {
        using var load = LoadPlane.Open(loops, options.Rooms, options.Subscribers);
        var received = new List<ReceivedStream>();
        for (int r = 0; r < load.Rooms.Count; r++)
        {
            var sockets = load.Rooms[r].SubscriberSockets;
            var read = ReadSubscribers(sockets.Count, options.Read);
            for (int s = 0; s < sockets.Count; s++)
            {
                if (!read.Contains(s))
                {
                    sockets[s].SetReceiveBuffer(UnreadReceiveBufferBytes);
                    continue;
                }
                sockets[s].SetReceiveBuffer(ReadReceiveBufferBytes);
                sockets[s].EnableReceiveTimestamps();
                received.Add(new ReceivedStream(sockets[s], r));
            }
        }
        var streams = load.Rooms.Select(room => room.Camera).ToArray();
        var (window, stats, allocated) = Measure(load, streams, received, packetsPerSecond, options.LatencyWarmupSeconds, options.LatencyWindowSeconds, options,
            new HashSet<int> { load.Port }, received.Select(stream => stream.Socket.LocalEndPoint.Port).ToHashSet());
        return stats.ToResult(loops, round, window, allocated, load.Plane.Drops.Snapshot());
    }

    /// <summary>
    /// Which of a room's subscribers are read, in the order the SFU sends to them (the order they
    /// joined: a producer's consumers in turn, one coalesced send each): spread from the first to the
    /// last, so the last one's wait behind the others' sends is in the figures.
    /// </summary>
    private static HashSet<int> ReadSubscribers(int subscribers, int read)
    {
        if (read >= subscribers) return Enumerable.Range(0, subscribers).ToHashSet();
        if (read == 1) return [subscribers - 1];
        return Enumerable.Range(0, read).Select(i => i * (subscribers - 1) / (read - 1)).ToHashSet();
    }

    /// <summary>
    /// The floor: the same streams, sealed the same way and at the same rate, from each publisher's
    /// socket straight to one subscriber socket, with no SFU in between.
    /// </summary>
    public static LatencyResult Direct(int round, double packetsPerSecond, LoadOptions options)
    {
        var publishers = new List<UdpDatagramSocket>();
        var subscribers = new List<SubscriberSocket>();
        var contexts = new List<SrtpContext>();
        try
        {
            var streams = new List<VideoStream>();
            var received = new List<ReceivedStream>();
            for (int r = 0; r < options.Rooms; r++)
            {
                var publisher = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                publishers.Add(publisher);
                var subscriber = new SubscriberSocket();
                subscribers.Add(subscriber);
                subscriber.SetReceiveBuffer(ReadReceiveBufferBytes);
                subscriber.EnableReceiveTimestamps();
                var context = new SrtpContext(SrtpProfile.AeadAes128Gcm, RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(12));
                contexts.Add(context);
                streams.Add(new VideoStream(0x5EED_0000 + (uint)(r * 2), context, publisher, subscriber.LocalEndPoint.Serialize()));
                received.Add(new ReceivedStream(subscriber, r));
            }
            var subscriberPorts = subscribers.Select(socket => socket.LocalEndPoint.Port).ToHashSet();
            var (window, stats, allocated) = Measure(null, streams, received, packetsPerSecond, options.LatencyWarmupSeconds, options.FloorWindowSeconds, options,
                new HashSet<int>(), subscriberPorts);
            return stats.ToResult(0, round, window, allocated, new Dictionary<DropReason, long>());
        }
        finally
        {
            foreach (var socket in publishers) socket.Dispose();
            foreach (var socket in subscribers) socket.Dispose();
            foreach (var context in contexts) context.Dispose();
        }
    }

    private static (Window Window, LatencyStats Stats, long Allocated) Measure(LoadPlane? load, IReadOnlyList<VideoStream> streams, IReadOnlyList<ReceivedStream> received,
        double packetsPerSecond, double warmupSeconds, double windowSeconds, LoadOptions options, IReadOnlySet<int> planePorts, IReadOnlySet<int> subscriberPorts)
    {
        if (options.Pin && load is not null) PinLoops(load);
        int toolCpu = options.Pin ? ToolCpu : -1;
        using var generator = new PacedGenerator(streams, packetsPerSecond, options.Burst, warmupSeconds + windowSeconds + 2, toolCpu);
        using var receiver = new TimestampReceiver(received, generator, toolCpu);
        GC.Collect();
        receiver.Start();
        generator.Start();
        Sleep(warmupSeconds);
        var start = Snapshot.Take(load, generator.ThreadId, receiver.ThreadId, planePorts, subscriberPorts);
        Sleep(windowSeconds);
        var end = Snapshot.Take(load, generator.ThreadId, receiver.ThreadId, planePorts, subscriberPorts);
        generator.Stop();
        // What is still on its way arrives within milliseconds.
        Thread.Sleep(100);
        receiver.Stop();
        var window = new Window(start, end);
        return (window, LatencyStats.Of(generator, receiver, received, start.RealtimeNs, end.RealtimeNs, window.Seconds), generator.AllocatedBytes);
    }

    /// <summary>Where the generator and the receiver run when pinned (<see cref="LoadOptions.Pin"/>).</summary>
    private const int ToolCpu = 0;

    /// <summary>Loop i on the last CPU but i (<see cref="LoadOptions.Pin"/>), before any media flows.</summary>
    private static void PinLoops(LoadPlane load)
    {
        int cpus = Environment.ProcessorCount;
        for (int i = 0; i < load.LoopThreadIds.Count; i++) Native.PinThread(load.LoopThreadIds[i], ((cpus - 1 - i) % cpus + cpus) % cpus);
    }

    private static void Sleep(double seconds) => Thread.Sleep(TimeSpan.FromSeconds(seconds));
}

/// <summary>Send-to-receive times of the packets sent within a window, at every socket read.</summary>
internal sealed record LatencyStats(double PacketsPerSecond, long Expected, long Received, long Unmatched, double P50Us, double P99Us, double P999Us, double MaxUs)
{
    public static LatencyStats Of(PacedGenerator generator, TimestampReceiver receiver, IReadOnlyList<ReceivedStream> received,
        long windowStartNs, long windowEndNs, double windowSeconds)
    {
        var samples = new List<int>();
        long expected = 0, sentInWindow = 0;
        for (int stream = 0; stream < received.Max(r => r.Stream) + 1; stream++)
        {
            foreach (long sendNs in generator.SendNs(stream)) if (sendNs >= windowStartNs && sendNs < windowEndNs) sentInWindow++;
        }
        for (int s = 0; s < received.Count; s++)
        {
            var sendNs = generator.SendNs(received[s].Stream);
            var latencyNs = receiver.LatencyNs(s);
            for (int slot = 0; slot < sendNs.Length; slot++)
            {
                if (sendNs[slot] < windowStartNs || sendNs[slot] >= windowEndNs) continue;
                expected++;
                if (latencyNs[slot] != TimestampReceiver.NotReceived) samples.Add(latencyNs[slot]);
            }
        }
        samples.Sort();
        return new LatencyStats(sentInWindow / windowSeconds, expected, samples.Count, receiver.Unmatched,
            Percentile(samples, 0.50), Percentile(samples, 0.99), Percentile(samples, 0.999), samples.Count == 0 ? double.NaN : samples[^1] / 1e3);
    }

    /// <summary>The nearest-rank percentile, in µs.</summary>
    private static double Percentile(List<int> sorted, double quantile) =>
        sorted.Count == 0 ? double.NaN : sorted[Math.Max(0, (int)Math.Ceiling(quantile * sorted.Count) - 1)] / 1e3;

    public LatencyResult ToResult(int loops, int round, Window window, long allocated, IReadOnlyDictionary<DropReason, long> drops) =>
        new(loops, round, window, PacketsPerSecond, Expected, Received, Unmatched, P50Us, P99Us, P999Us, MaxUs, allocated, drops);
}
