namespace Conclave.Media.Diagnostics;

/// <summary>One counter per <see cref="DropReason"/>; safe to read from any thread.</summary>
public sealed class DropCounters
{
    private readonly long[] _counts = new long[Enum.GetValues<DropReason>().Length];

    public void Count(DropReason reason) => Interlocked.Increment(ref _counts[(int)reason]);

    public void Count(DropReason reason, int count) => Interlocked.Add(ref _counts[(int)reason], count);

    public long this[DropReason reason] => Interlocked.Read(ref _counts[(int)reason]);

    /// <summary>A copy of every non-zero counter, for the console and for tests.</summary>
    public IReadOnlyDictionary<DropReason, long> Snapshot()
    {
        var snapshot = new Dictionary<DropReason, long>();
        foreach (var reason in Enum.GetValues<DropReason>())
        {
            long count = this[reason];
            if (count != 0) snapshot[reason] = count;
        }
        return snapshot;
    }
}
