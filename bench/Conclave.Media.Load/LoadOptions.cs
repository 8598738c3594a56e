using System.Globalization;

namespace Conclave.Media.Load;

/// <summary>The command line: <c>--name value</c> pairs, every one optional (README.md here).</summary>
internal sealed record LoadOptions
{
    public int[] Loops { get; init; } = [1, 2];
    public int Rounds { get; init; } = 3;
    public int Rooms { get; init; } = 2;
    public int Subscribers { get; init; } = 6;
    public double WarmupSeconds { get; init; } = 2;
    public double WindowSeconds { get; init; } = 5;
    public double LatencyWarmupSeconds { get; init; } = 1;
    public double LatencyWindowSeconds { get; init; } = 5;
    public double FloorWindowSeconds { get; init; } = 3;

    /// <summary>The latency phase's rate, as a share of the saturation phase's intake for the same loops and round.</summary>
    public double Load { get; init; } = 0.5;

    /// <summary>Packets per burst in the latency phase (a frame's packets, back to back).</summary>
    public int Burst { get; init; } = 8;

    /// <summary>The saturation offer as a multiple of what the loops take; 0 sends flat out.</summary>
    public double Offer { get; init; } = 1.25;

    /// <summary>
    /// Subscribers per room the latency phase reads, spread over the fan-out order (1: the last;
    /// 2: the first and the last); the others are left unread, as in the saturation phase.
    /// </summary>
    public int Read { get; init; } = 2;

    /// <summary>
    /// Pin the threads: loop i to the last CPU but i, the generator and the receiver to CPU 0, so that
    /// with one loop on two cores nothing of the tool's shares the loop's core (other tenants may).
    /// </summary>
    public bool Pin { get; init; }

    /// <summary>Packets per segmented send in the saturation phase.</summary>
    public int Batch { get; init; } = 16;

    public const string Usage =
        "options: --loops 1,2 --rounds 3 --rooms 2 --subscribers 6 --warmup 2 --window 5 " +
        "--latency-warmup 1 --latency-window 5 --floor-window 3 --load 0.5 --burst 8 --read 2 --offer 1.25 --batch 16 --pin 0";

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        if (args.Length % 2 != 0) throw new ArgumentException(Usage);
        for (int i = 0; i < args.Length; i += 2)
        {
            string value = args[i + 1];
            options = args[i] switch
            {
                "--loops" => options with { Loops = value.Split(',').Select(Int).ToArray() },
                "--rounds" => options with { Rounds = Int(value) },
                "--rooms" => options with { Rooms = Int(value) },
                "--subscribers" => options with { Subscribers = Int(value) },
                "--warmup" => options with { WarmupSeconds = Real(value) },
                "--window" => options with { WindowSeconds = Real(value) },
                "--latency-warmup" => options with { LatencyWarmupSeconds = Real(value) },
                "--latency-window" => options with { LatencyWindowSeconds = Real(value) },
                "--floor-window" => options with { FloorWindowSeconds = Real(value) },
                "--load" => options with { Load = Real(value) },
                "--burst" => options with { Burst = Int(value) },
                "--read" => options with { Read = Int(value) },
                "--pin" => options with { Pin = Int(value) != 0 },
                "--offer" => options with { Offer = Real(value) },
                "--batch" => options with { Batch = Int(value) },
                _ => throw new ArgumentException($"unknown option {args[i]}; {Usage}"),
            };
        }
        if (options.Loops.Length == 0 || options.Loops.Any(loops => loops < 1) || options.Rounds < 1 || options.Rooms < 1 ||
            options.Subscribers < 1 || options.Burst is < 1 or > 64 || options.Read < 1 || options.Batch is < 1 or > 64 || options.Load <= 0 || options.Offer < 0)
        {
            throw new ArgumentException($"an option is out of range; {Usage}");
        }
        return options;
    }

    private static int Int(string value) => int.Parse(value, CultureInfo.InvariantCulture);

    private static double Real(string value) => double.Parse(value, CultureInfo.InvariantCulture);
}
