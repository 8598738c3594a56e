namespace Conclave.Meetings.Audit;

/// <summary>How <see cref="RefusalAggregator"/> folds the refusals of people not logged in (docs/audit-log.md, "Refusals of strangers").</summary>
public sealed record RefusalAggregation
{
    /// <summary>
    /// The first refusal of a kind from a source network is written at once; the others
    /// within this interval after it are counted and written as one record when it ends.
    /// </summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Kinds of refusal (network, action, reason) counted at once. Beyond them, refusals from
    /// networks not yet counted are counted together as from <see cref="RefusalAggregator.OtherNetworks"/>.
    /// </summary>
    public int MaxTrackedSources { get; init; } = 4_096;
}
