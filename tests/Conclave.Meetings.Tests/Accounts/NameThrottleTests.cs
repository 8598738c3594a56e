using Conclave.Meetings.Accounts;
using Microsoft.Extensions.Time.Testing;

namespace Conclave.Meetings.Tests.Accounts;

/// <summary>The memory the login throttle keeps: bounded, and forgotten after a while.</summary>
public sealed class NameThrottleTests
{
    private static readonly LoginPolicy Policy = new();

    private readonly FakeTimeProvider _time = new(DomainHarness.Start);

    private bool TryCount(NameThrottle throttle, string name, string source = DomainHarness.Source) => throttle.TryCount(name, source, out _);

    private void UseAllowance(NameThrottle throttle, string name)
    {
        for (int i = 0; i < Policy.TriesBeforePause; i++) Assert.True(TryCount(throttle, name));
        Assert.False(TryCount(throttle, name));
    }

    [Fact]
    public void It_never_remembers_more_than_its_cap_of_pairs()
    {
        var throttle = new NameThrottle(Policy, _time);

        for (int i = 0; i < NameThrottle.MaxTrackedPairs + 500; i++) TryCount(throttle, $"name{i}");

        Assert.Equal(NameThrottle.MaxTrackedPairs, throttle.TrackedPairs);
    }

    [Fact]
    public void A_flood_of_fresh_pairs_does_not_release_a_paused_one()
    {
        var throttle = new NameThrottle(Policy, _time);
        UseAllowance(throttle, "alice");

        for (int i = 0; i < NameThrottle.MaxTrackedPairs * 2; i++) TryCount(throttle, $"name{i}");

        Assert.False(TryCount(throttle, "alice"));
    }

    [Fact]
    public void Pairs_idle_past_the_window_are_dropped_first_when_the_cap_is_reached()
    {
        var throttle = new NameThrottle(Policy, _time);
        for (int i = 0; i < NameThrottle.MaxTrackedPairs; i++) TryCount(throttle, $"old{i}");
        _time.Advance(Policy.FailureWindow);

        UseAllowance(throttle, "alice");

        Assert.Equal(1, throttle.TrackedPairs);
    }

    [Fact]
    public void A_name_longer_than_any_user_name_is_remembered_by_its_first_64_characters()
    {
        var throttle = new NameThrottle(Policy, _time);
        string prefix = new('x', Validation.MaxUserNameLength);
        for (int i = 0; i < Policy.TriesBeforePause; i++) Assert.True(TryCount(throttle, prefix + new string('y', 10_000 + i)));

        Assert.False(TryCount(throttle, prefix + "z"));
    }
}
