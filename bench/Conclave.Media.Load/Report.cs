using Conclave.Media.Diagnostics;

namespace Conclave.Media.Load;

/// <summary>A line per phase as it ends, then one table per phase with each round and the minimum and median over rounds.</summary>
internal static class Report
{
    /// <summary>Below this share of the offer dropped at the media port, the loops were not what limited the intake.</summary>
    private const double SaturatedDropShare = 0.05;

    /// <summary>Other tenants' load above which the saturation intake is theirs to decide, not the loops'.</summary>
    private const double BusyOtherCores = 0.25;

    public static void Print(SaturationResult result)
    {
        var window = result.Window;
        double seconds = window.Seconds;
        Console.WriteLine($"round {result.Round}, {result.Loops} loop(s), rooms per loop {string.Join('/', result.RoomsPerLoop)}:");
        Console.WriteLine($"  saturation: offered {result.OfferedPerSecond,9:N0}/s, taken {result.TakenPerSecond,9:N0}/s, forwarded {result.ForwardedPerSecond,9:N0}/s; " +
            $"kernel drops/s at the media port {window.PerSecond(window.PlanePortDrops):N0} ({result.PortDropShare:P1} of the offer{(result.PortDropShare < SaturatedDropShare ? ": NOT saturated, the generator was the bottleneck" : "")}), at subscribers {window.PerSecond(window.SubscriberPortDrops):N0} (unread), " +
            $"Udp RcvbufErrors {window.PerSecond(window.RcvbufErrors):N0}");
        Console.WriteLine($"    loops {string.Join(" + ", window.LoopCpuSeconds.Select(cpu => $"{cpu / seconds:F2}"))} cores, " +
            $"{result.LoopMicrosecondsPerForwarded:F2} µs per forwarded, {result.LoopMicrosecondsPerTaken:F2} µs per taken; " +
            $"generator (nice {(result.GeneratorPrioritised ? SaturationGenerator.Nice : 0)}) {window.GeneratorCpuSeconds / seconds:F2} cores, {result.GeneratorMicrosecondsPerOffered:F2} µs per offered, {result.GeneratorAllocatedBytes} B allocated, {result.Refused} refused; " +
            $"ksoftirqd {window.SoftIrqCpuSeconds / seconds:F2}; process {window.ProcessCpuSeconds / seconds:F2}; machine busy {window.MachineBusyCores:F2} cores, others {window.OtherCores:F2}");
        Console.WriteLine($"    egress {Ratio(window.EgressDatagrams, window.EgressSends):F1} datagrams per send; handed between loops {result.HandedOff} (setup only); " +
            $"gen0 GCs {window.Collections}; plane drops: {Drops(result.Drops)}");
    }

    public static void Print(string phase, LatencyResult result)
    {
        var window = result.Window;
        double seconds = window.Seconds;
        string loops = result.Loops == 0 ? "" : $"loops {window.LoopsCpuSeconds / seconds:F2} cores, {result.LoopMicrosecondsPerForwarded:F2} µs per forwarded; ";
        Console.WriteLine($"  {phase} at {result.PacketsPerSecond:N0}/s: p50 {result.P50Us:F0} µs, p99 {result.P99Us:F0} µs, p99.9 {result.P999Us:F0} µs, max {result.MaxUs:F0} µs; " +
            $"received {result.Received:N0} of {result.Expected:N0}, unmatched {result.Unmatched}");
        Console.WriteLine($"    {loops}generator {window.GeneratorCpuSeconds / seconds:F2} cores ({result.GeneratorAllocatedBytes} B allocated), receiver {window.ReceiverCpuSeconds / seconds:F2}; " +
            $"kernel drops at the sockets read {window.SubscriberPortDrops}; machine busy {window.MachineBusyCores:F2} cores, others {window.OtherCores:F2}; gen0 GCs {window.Collections}" +
            (result.Loops == 0 ? "" : $"; plane drops: {Drops(result.Drops)}"));
    }

    public static void Summary(LoadOptions options, IReadOnlyList<SaturationResult> saturations, IReadOnlyList<(LatencyResult ThroughSfu, LatencyResult Floor)> latencies)
    {
        Console.WriteLine("Saturation (per second over the window; cores = CPU seconds per second)");
        Console.WriteLine("| loops | round | offered/s | taken/s | forwarded/s | media-port drops, % of offer | loop cores | loop µs/forwarded | loop µs/taken | generator cores | generator µs/offered | ksoftirqd cores | other tenants' cores |");
        Console.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (int loops in options.Loops)
        {
            var rows = saturations.Where(result => result.Loops == loops).Select(result => (result.Round.ToString(), new[]
            {
                result.OfferedPerSecond, result.TakenPerSecond, result.ForwardedPerSecond, result.PortDropShare * 100,
                result.Window.LoopsCpuSeconds / result.Window.Seconds, result.LoopMicrosecondsPerForwarded, result.LoopMicrosecondsPerTaken,
                result.Window.GeneratorCpuSeconds / result.Window.Seconds, result.GeneratorMicrosecondsPerOffered,
                result.Window.SoftIrqCpuSeconds / result.Window.Seconds, result.Window.OtherCores,
            })).ToList();
            PrintRows(loops, rows, ["N0", "N0", "N0", "F1", "F2", "F2", "F2", "F2", "F2", "F2", "F2"]);
        }
        double others = Median(saturations.Select(result => result.Window.OtherCores));
        if (others > BusyOtherCores)
        {
            Console.WriteLine($"the machine's other tenants used {others:F2} cores (median): the intake measures the CPU they left, " +
                "not the loops' capacity; the µs per packet carry over, the packets/s do not");
        }
        if (options.Loops.Length > 1)
        {
            foreach (int loops in options.Loops.Skip(1))
            {
                double ratio = Median(saturations.Where(r => r.Loops == loops).Select(r => r.ForwardedPerSecond)) /
                    Median(saturations.Where(r => r.Loops == options.Loops[0]).Select(r => r.ForwardedPerSecond));
                Console.WriteLine($"median forwarded/s, {loops} loops against {options.Loops[0]}: {ratio:F2}×");
            }
        }
        Console.WriteLine();
        Console.WriteLine($"Added latency at {options.Load:P0} of each round's saturation intake (send → kernel receive timestamp, µs); floor = the same packets, no SFU");
        Console.WriteLine("| loops | round | rate/s | p50 | p99 | p99.9 | max | lost | floor p50 | floor p99 | floor p99.9 | floor max | p99 − floor p99 | loop cores | loop µs/forwarded | other tenants' cores |");
        Console.WriteLine("|---|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|--:|");
        foreach (int loops in options.Loops)
        {
            var rows = latencies.Where(pair => pair.ThroughSfu.Loops == loops).Select(pair =>
            {
                var (result, floor) = pair;
                return (result.Round.ToString(), new[]
                {
                    result.PacketsPerSecond, result.P50Us, result.P99Us, result.P999Us, result.MaxUs, result.Lost,
                    floor.P50Us, floor.P99Us, floor.P999Us, floor.MaxUs, result.P99Us - floor.P99Us,
                    result.Window.LoopsCpuSeconds / result.Window.Seconds, result.LoopMicrosecondsPerForwarded,
                    result.Window.OtherCores,
                });
            }).ToList();
            PrintRows(loops, rows, ["N0", "F0", "F0", "F0", "F0", "N0", "F0", "F0", "F0", "F0", "F0", "F2", "F2", "F2"]);
        }
        Console.WriteLine();
    }

    /// <summary>Each round's row, then the minimum and the median of every column over the rounds.</summary>
    private static void PrintRows(int loops, List<(string Round, double[] Values)> rows, string[] formats)
    {
        foreach (var (round, values) in rows) Console.WriteLine(Row(loops, round, values, formats));
        if (rows.Count < 2) return;
        int columns = formats.Length;
        Console.WriteLine(Row(loops, "min", Enumerable.Range(0, columns).Select(c => rows.Min(row => row.Values[c])).ToArray(), formats));
        Console.WriteLine(Row(loops, "median", Enumerable.Range(0, columns).Select(c => Median(rows.Select(row => row.Values[c]))).ToArray(), formats));
    }

    private static string Row(int loops, string round, double[] values, string[] formats) =>
        $"| {loops} | {round} | {string.Join(" | ", values.Select((value, i) => value.ToString(formats[i])))} |";

    private static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0) return double.NaN;
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static double Ratio(long a, long b) => b == 0 ? double.NaN : (double)a / b;

    private static string Drops(IReadOnlyDictionary<DropReason, long> drops) =>
        drops.Count == 0 ? "none" : string.Join(", ", drops.Select(drop => $"{drop.Key} {drop.Value}"));
}
