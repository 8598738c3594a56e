namespace Conclave.Media.Tests.Transport;

/// <summary>A clock that moves only when the test says so: timers run when the test steps past them.</summary>
internal sealed class ManualClock : TimeProvider
{
    /// <summary>Far from zero, as a monotonic clock is after boot; "never" is 0 in a few timers.</summary>
    public long NowMs { get; private set; } = 1_000_000;

    public override long TimestampFrequency => 1000;

    public override long GetTimestamp() => NowMs;

    public void Advance(long ms) => NowMs += ms;
}
