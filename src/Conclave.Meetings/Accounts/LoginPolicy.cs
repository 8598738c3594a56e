namespace Conclave.Meetings.Accounts;

/// <summary>
/// Login throttling (docs/accounts.md). Each pair of a user name as typed and a source
/// network (<see cref="SourceNetwork"/>) has <see cref="TriesBeforePause"/> tries; after
/// that, each further try of that pair is checked only after a pause that starts at
/// <see cref="FirstPause"/> and doubles with every try, up to <see cref="MaxPause"/>. A
/// pair is forgotten <see cref="FailureWindow"/> after its pause ends, and at once when it
/// logs in. Nobody can keep an account locked: other sources are not paused by it. One
/// source address is also refused outright after <see cref="MaxFailuresPerSource"/>
/// failures across names within <see cref="FailureWindow"/> (spraying one password over
/// many accounts).
/// </summary>
public sealed record LoginPolicy
{
    public int TriesBeforePause { get; init; } = 5;
    public TimeSpan FirstPause { get; init; } = TimeSpan.FromSeconds(1);
    public TimeSpan MaxPause { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(15);
    public int MaxFailuresPerSource { get; init; } = 30;

    /// <summary>A session ends when unused this long, whatever the idle setting says.</summary>
    public TimeSpan SessionAbsoluteLifetime { get; init; } = TimeSpan.FromHours(12);

    /// <summary>
    /// The pause before the try after <paramref name="tries"/> tries: none within
    /// <see cref="TriesBeforePause"/>, then <see cref="FirstPause"/>, twice that, … up to <see cref="MaxPause"/>.
    /// </summary>
    public TimeSpan PauseAfter(int tries)
    {
        int doublings = tries - TriesBeforePause;
        if (doublings < 0) return TimeSpan.Zero;
        // 2^40 seconds is far beyond any cap; the bound keeps the shift from overflowing.
        return doublings >= 40 || FirstPause.Ticks > MaxPause.Ticks >> doublings ? MaxPause : FirstPause * (1L << doublings);
    }
}
