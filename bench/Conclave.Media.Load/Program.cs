using System.Globalization;
using Conclave.Media.Diagnostics;
using Conclave.Media.Load;

// make bench-loops: the SFU's media loops at saturation (1 against 2 loops) and the latency they
// add at half that load, in this process on real UDP sockets of 127.0.0.1 (README.md here).
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (Exception e) when (e is ArgumentException or FormatException)
{
    Console.Error.WriteLine(e.Message);
    return 2;
}

CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {KernelCounters.CpuModel()}, Linux {KernelCounters.KernelRelease()}, .NET {Environment.Version}");
Console.WriteLine($"load average at start: {KernelCounters.LoadAverage()}");
Console.WriteLine($"{options.Rooms} rooms of 1 publisher + {options.Subscribers} subscribers; {VideoStream.RtpBytes}-byte SFrame-shaped VP8, AEAD_AES_128_GCM; " +
    $"saturation {options.WarmupSeconds} s warm-up + {options.WindowSeconds} s, offer {(options.Offer == 0 ? "flat out" : $"{options.Offer}× the intake")}; " +
    $"latency at {options.Load:P0} of it, bursts of {options.Burst}, {options.LatencyWarmupSeconds} s + {options.LatencyWindowSeconds} s (floor {options.FloorWindowSeconds} s)" +
    (options.Pin ? "; threads pinned: loop i to the last CPU but i, generator and receiver to CPU 0" : ""));
Console.WriteLine();

var saturations = new List<SaturationResult>();
var latencies = new List<(LatencyResult ThroughSfu, LatencyResult Floor)>();
for (int round = 1; round <= options.Rounds; round++)
{
    // Alternating order (1, 2 then 2, 1 ...), so a drift in the machine's other load falls on both.
    var order = round % 2 == 1 ? options.Loops : options.Loops.Reverse().ToArray();
    foreach (int loops in order)
    {
        var saturation = Phases.Saturate(loops, round, options);
        saturations.Add(saturation);
        Report.Print(saturation);
        double rate = saturation.TakenPerSecond * options.Load;
        var latency = Phases.ThroughSfu(loops, round, rate, options);
        Report.Print("latency", latency);
        var floor = Phases.Direct(round, rate, options);
        Report.Print("floor (no SFU)", floor);
        latencies.Add((latency, floor));
        Console.WriteLine();
    }
}

Report.Summary(options, saturations, latencies);
Console.WriteLine($"load average at end: {KernelCounters.LoadAverage()}");

// Drops the kernel's full buffers cause in the plane: a publisher's packet the kernel dropped at
// the media port is a gap the loop NACKs, and beyond the NACK budget it counts NackOverBudget.
var failures = new List<string>();
foreach (var result in saturations)
{
    if (result.Window.Forwarded == 0) failures.Add($"saturation, {result.Loops} loops, round {result.Round}: nothing forwarded");
    failures.AddRange(Unexpected(result.Drops).Select(drop => $"saturation, {result.Loops} loops, round {result.Round}: {drop}"));
}
foreach (var result in latencies.SelectMany(pair => new[] { pair.ThroughSfu, pair.Floor }))
{
    string phase = result.Loops == 0 ? "floor" : $"latency, {result.Loops} loops";
    if (result.Received == 0) failures.Add($"{phase}, round {result.Round}: nothing received");
    failures.AddRange(Unexpected(result.Drops).Select(drop => $"{phase}, round {result.Round}: {drop}"));
}
foreach (string failure in failures) Console.Error.WriteLine($"FAILED: {failure}");
return failures.Count == 0 ? 0 : 1;

static IEnumerable<string> Unexpected(IReadOnlyDictionary<DropReason, long> drops) =>
    drops.Where(drop => drop.Key != DropReason.NackOverBudget).Select(drop => $"{drop.Value} packets dropped as {drop.Key}");
