using System.Net;
using Conclave.Web.Signalling;
using Microsoft.Extensions.Time.Testing;

namespace Conclave.Web.Tests;

public sealed class SignallingQuotasTests
{
    private readonly FakeTimeProvider _time = new();

    [Fact]
    public void Addresses_of_one_ipv6_64_share_the_per_source_socket_limit()
    {
        var quotas = new SignallingQuotas(new SignallingLimitOptions { SocketsPerSource = 2 }, _time);

        Assert.NotNull(quotas.TryOpenSocket("user:a", IPAddress.Parse("2001:db8::1")));
        Assert.NotNull(quotas.TryOpenSocket("user:b", IPAddress.Parse("2001:db8::2")));
        Assert.Null(quotas.TryOpenSocket("user:c", IPAddress.Parse("2001:db8::3")));
        Assert.NotNull(quotas.TryOpenSocket("user:c", IPAddress.Parse("2001:db8:0:1::3")));
    }

    [Fact]
    public void A_returned_lease_frees_its_slot_once_even_if_disposed_twice()
    {
        var quotas = new SignallingQuotas(new SignallingLimitOptions { PeersPerAttendee = 1 }, _time);
        var lease = quotas.TryAddPeer("user:a")!;

        lease.Dispose();
        lease.Dispose();

        Assert.NotNull(quotas.TryAddPeer("user:a"));
        Assert.Null(quotas.TryAddPeer("user:a"));
    }

    [Fact]
    public void Joins_past_the_limit_are_refused_until_a_minute_has_passed()
    {
        var quotas = new SignallingQuotas(new SignallingLimitOptions { JoinsPerAttendeePerMinute = 3 }, _time);
        for (int i = 0; i < 3; i++) Assert.True(quotas.TryCountJoin("guest:x"));

        Assert.False(quotas.TryCountJoin("guest:x"));
        Assert.True(quotas.TryCountJoin("guest:y"));
        _time.Advance(TimeSpan.FromMinutes(1));
        Assert.True(quotas.TryCountJoin("guest:x"));
    }

    [Fact]
    public void Across_thousands_of_people_each_count_starts_again_a_minute_after_their_last_join()
    {
        var quotas = new SignallingQuotas(new SignallingLimitOptions { JoinsPerAttendeePerMinute = 1 }, _time);
        for (int i = 0; i < 2_000; i++) Assert.True(quotas.TryCountJoin($"guest:{i}"));
        Assert.False(quotas.TryCountJoin("guest:0"));

        _time.Advance(TimeSpan.FromMinutes(2));

        for (int i = 0; i < 2_000; i++) Assert.True(quotas.TryCountJoin($"guest:{i}"));
    }

    [Fact]
    public void A_limit_below_one_is_named_as_invalid()
    {
        Assert.Equal(nameof(SignallingLimitOptions.MessagesPerSecond), new SignallingLimitOptions { MessagesPerSecond = 0 }.Invalid());
        Assert.Null(new SignallingLimitOptions().Invalid());
    }
}
