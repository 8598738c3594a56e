using Conclave.Media.Sfu;

namespace Conclave.Media.Load;

/// <summary>
/// Offers each room's loop more than it takes: every <see cref="AdjustIntervalNs"/> the rate of a
/// stream becomes <c>offerFactor</c> times what its producer took in the last interval (at least
/// <see cref="StartRatePerStream"/>), so the offer climbs by that factor per interval while the loop
/// keeps up and stays that far above it once it does not; the rest overflows the loop's socket
/// buffer in the kernel. Offering only that much, rather than all the generator can, leaves the CPU
/// the generator would burn on datagrams the kernel drops to the loops (the two share two cores);
/// <c>offerFactor</c> 0 sends flat out. Packets leave in runs of <c>batch</c> per stream, one
/// segmented send each (UDP_SEGMENT, udp(7)), sealed on the fly: a pre-sealed ring cannot be
/// sent twice (the SFU's replay window refuses an index it saw, RFC 3711 §3.3.2).
/// With <c>cpu</c> ≥ 0 the thread pins itself there before its first packet: a sender that moves
/// to another CPU while the kernel still holds loopback datagrams in the old CPU's backlog has them
/// delivered out of order. The thread runs at nice <see cref="Nice"/> where permitted: the offer must not be what limits the
/// intake, and on a machine whose other tenants keep the cores busy a generator of equal weight gets
/// no more CPU than each loop, and so offers less than they could take.
/// </summary>
internal sealed class SaturationGenerator(IReadOnlyList<LoadRoom> rooms, double offerFactor, int batch, int cpu)
    : ToolThread("load-generator", cpu)
{
    private const long AdjustIntervalNs = 20_000_000;
    private const double StartRatePerStream = 10_000;

    /// <summary>The generator sleeps this long when no stream has a run's worth of credit.</summary>
    private const long IdleSleepNs = 50_000;

    public const int Nice = -10;

    private long _offered;
    private long _refused;

    /// <summary>Packets handed to the kernel so far, every stream.</summary>
    public long Offered => Interlocked.Read(ref _offered);

    /// <summary>Packets the kernel refused at send (a full send buffer).</summary>
    public long Refused => Interlocked.Read(ref _refused);

    /// <summary>Whether the thread got <see cref="Nice"/> (it needs CAP_SYS_NICE).</summary>
    public bool Prioritised { get; private set; }

    /// <summary>Bytes the generator thread allocated since it started: its packet path should allocate none.</summary>
    public long AllocatedBytes { get; private set; }

    protected override void Work()
    {
        Prioritised = Native.SetThreadNice(Nice);
        var streams = rooms.Select(room => room.Camera).ToArray();
        var producers = rooms.Select(room => room.Producer).ToArray();
        var run = GC.AllocateUninitializedArray<byte>(batch * VideoStream.SrtpBytes, pinned: true);
        var rate = new double[streams.Length];
        var credit = new double[streams.Length];
        var taken = new long[streams.Length];
        Array.Fill(rate, StartRatePerStream);
        for (int i = 0; i < producers.Length; i++) taken[i] = producers[i].PacketsReceived;
        long allocatedAtStart = GC.GetAllocatedBytesForCurrentThread();
        long last = Native.MonotonicNs(), lastAdjust = last;
        Ready();
        while (!Stopping)
        {
            long now = Native.MonotonicNs();
            if (offerFactor > 0 && now - lastAdjust >= AdjustIntervalNs)
            {
                Adjust(producers, taken, rate, (now - lastAdjust) / 1e9);
                lastAdjust = now;
            }
            bool sent = false;
            for (int i = 0; i < streams.Length; i++)
            {
                if (offerFactor > 0)
                {
                    // Credit for at most a few runs: a loop that stalled is not then flooded.
                    credit[i] = Math.Min(credit[i] + rate[i] * (now - last) / 1e9, 4.0 * batch);
                    if (credit[i] < batch) continue;
                    credit[i] -= batch;
                }
                SendRun(streams[i], run);
                sent = true;
            }
            last = now;
            if (!sent) Native.SleepUntil(now + IdleSleepNs);
        }
        AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - allocatedAtStart;
    }

    private void Adjust(Producer[] producers, long[] taken, double[] rate, double seconds)
    {
        for (int i = 0; i < producers.Length; i++)
        {
            // Read off the loop's thread: a 64-bit counter read whole, at most a packet behind.
            long now = producers[i].PacketsReceived;
            rate[i] = Math.Max(StartRatePerStream, offerFactor * (now - taken[i]) / seconds);
            taken[i] = now;
        }
    }

    private void SendRun(VideoStream stream, byte[] run)
    {
        for (int p = 0; p < batch; p++) stream.SealNext(run.AsSpan(p * VideoStream.SrtpBytes, VideoStream.SrtpBytes));
        if (stream.Socket.TrySendSegments(run, VideoStream.SrtpBytes, stream.Destination)) Interlocked.Add(ref _offered, batch);
        else Interlocked.Add(ref _refused, batch);
    }
}
