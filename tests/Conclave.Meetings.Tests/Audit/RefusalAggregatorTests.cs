using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Microsoft.Extensions.Time.Testing;

namespace Conclave.Meetings.Tests.Audit;

/// <summary>
/// Refusals of people not logged in: the first of a kind from a source network is written at
/// once, the rest of its interval become one record when it ends; nothing else is folded.
/// </summary>
public sealed class RefusalAggregatorTests : IDisposable
{
    private static readonly Account Alice = new(7, "alice", "Alice", Role.Member, false, "", null, null, 0, 0, null, null, DateTimeOffset.UnixEpoch);

    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 3, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly RecordingAuditTrail _log = new();
    private readonly RefusalAggregator _audit;

    public RefusalAggregatorTests() => _audit = new RefusalAggregator(_log, _time, new RefusalAggregation { Interval = TimeSpan.FromSeconds(60), MaxTrackedSources = 3 });

    [Fact]
    public void The_first_refusal_is_written_at_once_and_the_rest_of_the_minute_as_one_record_when_it_ends()
    {
        _audit.ConsoleNotLoggedIn("192.0.2.7", "/console/users", cookieRefused: false);
        Assert.Equal(["anonymous@192.0.2.7 console.access /console/users refused: not logged in"], Lines());

        for (int i = 0; i < 4_182; i++) _audit.ConsoleNotLoggedIn("192.0.2.7", $"/console/meetings/{i}\u001b[2J{new string('x', 100)}", cookieRefused: false);
        _time.Advance(TimeSpan.FromSeconds(59));
        Assert.Single(_log.Records);

        _time.Advance(TimeSpan.FromSeconds(1));
        var summary = _log.Last;
        Assert.Equal("anonymous@192.0.2.7", summary.Actor);
        Assert.Equal(AuditAction.ConsoleAccess, summary.Action);
        Assert.Equal("refused: not logged in; 4182 more refusals of console.access from 192.0.2.7 in 60 s", summary.Outcome);
        // The last path, cut and escaped as every untrusted field is.
        Assert.Equal(AuditText.Untrusted($"/console/meetings/4181\u001b[2J{new string('x', 100)}"), summary.Object);
        Assert.StartsWith(@"/console/meetings/4181\x1b[2Jxxx", summary.Object);
        Assert.Equal(2, _log.Records.Count);
    }

    [Fact]
    public void After_its_interval_the_next_refusal_is_a_first_again()
    {
        _audit.SignallingRefused("192.0.2.7");
        _time.Advance(TimeSpan.FromSeconds(61));
        _audit.SignallingRefused("192.0.2.7");
        _audit.SignallingRefused("192.0.2.7");

        Assert.Equal(2, _log.Records.Count);
        Assert.All(_log.Records, r => Assert.Equal("refused: not logged in and no guest pass", r.Outcome));
    }

    [Fact]
    public void A_network_is_an_IPv4_address_or_an_IPv6_64_and_each_counts_on_its_own()
    {
        _audit.SignallingRefused("2001:db8:1:2::10");
        _audit.SignallingRefused("2001:db8:1:2:ffff::1");
        _audit.SignallingRefused("2001:db8:1:3::10");
        _audit.SignallingRefused("192.0.2.7");
        _audit.SignallingRefused("192.0.2.8");
        Assert.Equal(["anonymous@2001:db8:1:2::10", "anonymous@2001:db8:1:3::10", "anonymous@192.0.2.7", "anonymous@192.0.2.8"], _log.Records.Select(r => r.Actor));

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Equal("anonymous@2001:db8:1:2::/64", _log.Last.Actor);
        Assert.EndsWith("1 more refusals of signalling.connect from 2001:db8:1:2::/64 in 60 s", _log.Last.Outcome);
    }

    [Fact]
    public void Each_action_and_reason_has_its_own_first_record_and_a_pause_is_not_a_new_reason()
    {
        var claimant = AuditActor.Claiming("alice", "192.0.2.7");
        _audit.LoginWrongCredentials(claimant, null);
        _audit.LoginWrongCredentials(claimant, null);
        _audit.LoginWrongCredentials(claimant, _time.GetUtcNow().AddSeconds(1));
        _audit.LoginNotChecked(claimant, _time.GetUtcNow().AddSeconds(1));
        _audit.LoginWrongCredentials(claimant, _time.GetUtcNow().AddSeconds(2));
        _audit.LoginNotChecked(claimant, _time.GetUtcNow().AddSeconds(4));
        _audit.InvitationLinkUnknown("192.0.2.7");

        Assert.Equal(
        [
            "refused: wrong credentials",
            "refused: wrong credentials, throttled until 2030-03-04 09:00:01Z",
            "refused: not checked, throttled until 2030-03-04 09:00:01Z",
            "refused: unknown link",
        ], _log.Records.Select(r => r.Outcome));
        Assert.Equal("user:alice@192.0.2.7", _log.Records[0].Actor);

        _time.Advance(TimeSpan.FromSeconds(60));
        Assert.Contains(_log.Records, r => r.Outcome == "refused: wrong credentials; 1 more refusals of login from 192.0.2.7 in 60 s");
        Assert.Contains(_log.Records, r => r.Outcome == "refused: wrong credentials, throttled; 1 more refusals of login from 192.0.2.7 in 60 s");
        Assert.Contains(_log.Records, r => r.Outcome == "refused: not checked, throttled; 1 more refusals of login from 192.0.2.7 in 60 s");
        Assert.Equal(7, _log.Records.Count);
    }

    [Fact]
    public void Refusals_of_someone_logged_in_and_whatever_was_done_are_each_written()
    {
        for (int i = 0; i < 3; i++)
        {
            _audit.ConsoleRoleRefused(Alice, "/console/users", Role.Admin);
            _audit.LoggedIn(AuditActor.Claiming("alice", "192.0.2.7"), mustEnrolTotp: false);
        }

        Assert.Equal(6, _log.Records.Count);
        _time.Advance(TimeSpan.FromMinutes(2));
        Assert.Equal(6, _log.Records.Count);
    }

    [Fact]
    public void Beyond_the_networks_it_tracks_it_counts_the_others_together_without_forgetting_those_it_tracks()
    {
        for (int n = 1; n <= 3; n++)
        {
            _audit.SignallingRefused($"192.0.2.{n}");
            _audit.SignallingRefused($"192.0.2.{n}");
        }
        for (int n = 10; n < 60; n++) _audit.SignallingRefused($"198.51.100.{n}");
        _audit.SignallingRefused("192.0.2.1");

        // One first record per tracked network, and one for the first of the others.
        Assert.Equal(["anonymous@192.0.2.1", "anonymous@192.0.2.2", "anonymous@192.0.2.3", "anonymous@198.51.100.10"], _log.Records.Select(r => r.Actor));
        _time.Advance(TimeSpan.FromSeconds(60));
        var summaries = _log.Records.Skip(4).ToDictionary(r => r.Actor, r => r.Outcome);
        Assert.Equal("refused: not logged in and no guest pass; 2 more refusals of signalling.connect from 192.0.2.1 in 60 s", summaries["anonymous@192.0.2.1"]);
        Assert.Equal("refused: not logged in and no guest pass; 49 more refusals of signalling.connect from other networks in 60 s", summaries["anonymous@other networks"]);
        Assert.Equal(4, summaries.Count);
    }

    [Fact]
    public void Disposing_writes_what_was_counted_so_far()
    {
        _audit.FirstAdminRefused("192.0.2.7");
        _audit.FirstAdminRefused("192.0.2.7");
        _time.Advance(TimeSpan.FromSeconds(12));

        _audit.Dispose();

        Assert.Equal("refused: invalid or used setup link; 1 more refusals of setup.first-admin from 192.0.2.7 in 12 s", _log.Last.Outcome);
        _audit.FirstAdminRefused("192.0.2.7");
        Assert.Equal(3, _log.Records.Count);
    }

    private List<string> Lines() => _log.Records.Select(r => $"{r.Actor} {r.Action} {r.Object} {r.Outcome}").ToList();

    public void Dispose() => _audit.Dispose();
}
