using Conclave.Meetings;
using Conclave.Meetings.Scheduling;

namespace Conclave.Storage.Tests;

public sealed class MeetingStoreTests : DatabaseTest
{
    private readonly long _host;
    private readonly long _alice;
    private readonly long _bob;

    public MeetingStoreTests()
    {
        _host = Database.Accounts.Create(Samples.Account("host")).Id;
        _alice = Database.Accounts.Create(Samples.Account("alice")).Id;
        _bob = Database.Accounts.Create(Samples.Account("bob")).Id;
    }

    [Fact]
    public void A_meeting_and_its_roster_round_trip()
    {
        var meeting = Samples.Meeting("m1", _host) with { Locked = true, LobbyForMembers = false };

        Database.Meetings.Create(meeting, [_bob, _alice, _alice]);

        var found = Database.Meetings.Find("m1");
        Assert.Equal(meeting, found);
        Assert.Null(found!.EndedAt);
        Assert.Equal(TimeSpan.Zero, found.StartsAt.Offset);
        Assert.Equal([_alice, _bob], Database.Meetings.Roster("m1"));
        Assert.Null(Database.Meetings.Find("M1"));
    }

    [Fact]
    public void A_roster_naming_an_unknown_account_is_invalid_and_writes_nothing()
    {
        var refused = Assert.Throws<DomainException>(() => Database.Meetings.Create(Samples.Meeting("m1", _host), [_alice, 999]));

        Assert.Equal(DomainErrorKind.Invalid, refused.Kind);
        Assert.Contains("no such account", refused.Message);
        Assert.Null(Database.Meetings.Find("m1"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM meetings"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM roster"));
    }

    [Fact]
    public void An_unknown_host_is_invalid()
    {
        var refused = Assert.Throws<DomainException>(() => Database.Meetings.Create(Samples.Meeting("m1", 999), []));

        Assert.Equal(DomainErrorKind.Invalid, refused.Kind);
        Assert.Empty(Database.Meetings.List());
    }

    [Fact]
    public void A_meeting_id_is_used_once()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);

        var refused = Assert.Throws<DomainException>(() => Database.Meetings.Create(Samples.Meeting("m1", _alice), [_bob]));

        Assert.Equal(DomainErrorKind.Conflict, refused.Kind);
        Assert.Equal(_host, Database.Meetings.Find("m1")!.HostAccountId);
        Assert.Empty(Database.Meetings.Roster("m1"));
    }

    [Fact]
    public void Replace_roster_replaces_all_of_it_or_none_of_it()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), [_alice]);

        Database.Meetings.ReplaceRoster("m1", [_bob, _host]);
        Assert.Equal([_host, _bob], Database.Meetings.Roster("m1"));

        var refused = Assert.Throws<DomainException>(() => Database.Meetings.ReplaceRoster("m1", [_alice, 999]));
        Assert.Equal(DomainErrorKind.Invalid, refused.Kind);
        Assert.Contains("no such account", refused.Message);
        Assert.Equal([_host, _bob], Database.Meetings.Roster("m1"));

        Database.Meetings.ReplaceRoster("m1", []);
        Assert.Empty(Database.Meetings.Roster("m1"));
    }

    [Fact]
    public void Replacing_the_roster_of_an_unknown_meeting_is_not_found()
    {
        var refused = Assert.Throws<DomainException>(() => Database.Meetings.ReplaceRoster("nope", [_alice]));

        Assert.Equal(DomainErrorKind.NotFound, refused.Kind);
    }

    [Fact]
    public void Lists_by_host_and_by_member_in_start_order()
    {
        Database.Meetings.Create(Samples.Meeting("late", _host) with { StartsAt = Samples.Time.AddDays(3) }, [_alice]);
        Database.Meetings.Create(Samples.Meeting("early", _host), [_alice, _bob]);
        Database.Meetings.Create(Samples.Meeting("alices", _alice) with { StartsAt = Samples.Time.AddDays(2) }, [_bob]);

        Assert.Equal(["early", "alices", "late"], Database.Meetings.List().Select(m => m.Id));
        Assert.Equal(["early", "late"], Database.Meetings.ListHostedBy(_host).Select(m => m.Id));
        Assert.Equal(["alices"], Database.Meetings.ListHostedBy(_alice).Select(m => m.Id));
        Assert.Equal(["early", "late"], Database.Meetings.ListWithMember(_alice).Select(m => m.Id));
        Assert.Equal(["early", "alices"], Database.Meetings.ListWithMember(_bob).Select(m => m.Id));
        Assert.Empty(Database.Meetings.ListWithMember(_host));
    }

    [Fact]
    public void Update_writes_every_field()
    {
        var meeting = Samples.Meeting("m1", _host);
        Database.Meetings.Create(meeting, []);
        var changed = meeting with
        {
            Title = "Renamed",
            HostAccountId = _alice,
            StartsAt = Samples.Time.AddHours(2),
            EndsAt = Samples.Time.AddHours(3),
            LobbyForMembers = false,
            Locked = true,
            EndedAt = Samples.Time.AddHours(2).AddMilliseconds(1),
            CreatedAt = Samples.Time.AddDays(-2),
        };

        Database.Meetings.Update(changed);

        Assert.Equal(changed, Database.Meetings.Find("m1"));
        Assert.Equal(DomainErrorKind.NotFound,
            Assert.Throws<DomainException>(() => Database.Meetings.Update(changed with { Id = "m2" })).Kind);
    }

    [Fact]
    public void An_invitation_round_trips_and_is_found_by_its_token_hash()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        var invitation = Samples.Invitation("i1", "m1", 7) with { PasscodeHash = "$argon2id$passcode", PasscodeFailures = 2 };

        Database.Meetings.AddInvitation(invitation);

        Samples.AssertSame(invitation, Database.Meetings.FindInvitation("i1"));
        Samples.AssertSame(invitation, Database.Meetings.FindInvitationByToken(Samples.Hash(7)));
        Assert.Null(Database.Meetings.FindInvitationByToken(Samples.Hash(8)));
        Assert.Null(Database.Meetings.FindInvitationByGuestPass(Samples.Hash(7)));
        Assert.Null(Database.Meetings.FindInvitation("i2"));
    }

    [Fact]
    public void Redeeming_an_invitation_writes_its_state_and_guest_pass_and_gives_back_the_right_passcodes_try()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        var invitation = Samples.Invitation("i1", "m1", 7) with { PasscodeHash = "$argon2id$passcode" };
        Database.Meetings.AddInvitation(invitation);
        Assert.Equal(1, Database.Meetings.CountPasscodeTry("i1", 5));
        Assert.Equal(2, Database.Meetings.CountPasscodeTry("i1", 5));

        Assert.True(Database.Meetings.TryRedeemInvitation("i1", Samples.Hash(9), refundPasscodeTry: true));

        var redeemed = invitation with { State = InvitationState.Redeemed, GuestPassHash = Samples.Hash(9), PasscodeFailures = 1 };
        Samples.AssertSame(redeemed, Database.Meetings.FindInvitationByGuestPass(Samples.Hash(9)));
        Samples.AssertSame(redeemed, Database.Meetings.FindInvitation("i1"));
        Assert.False(Database.Meetings.TryRedeemInvitation("i2", Samples.Hash(10), refundPasscodeTry: false));
    }

    [Fact]
    public void Passcode_tries_are_counted_up_to_the_maximum_and_only_while_issued()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        Database.Meetings.AddInvitation(Samples.Invitation("i1", "m1", 7));
        Database.Meetings.AddInvitation(Samples.Invitation("i2", "m1", 8));

        Assert.Equal([1, 2, 3, null, null], Enumerable.Range(0, 5).Select(_ => Database.Meetings.CountPasscodeTry("i1", 3)));
        Assert.True(Database.Meetings.TryChangeInvitationState("i2", InvitationState.Issued, InvitationState.Revoked));
        Assert.Null(Database.Meetings.CountPasscodeTry("i2", 3));
        Assert.Null(Database.Meetings.CountPasscodeTry("nope", 3));
        Assert.Equal((3, 0), (Database.Meetings.FindInvitation("i1")!.PasscodeFailures, Database.Meetings.FindInvitation("i2")!.PasscodeFailures));
    }

    [Fact]
    public void Passcode_tries_counted_from_many_threads_at_once_are_each_counted_once()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        Database.Meetings.AddInvitation(Samples.Invitation("i1", "m1", 7));

        var counted = new System.Collections.Concurrent.ConcurrentBag<int?>();
        Parallel.For(0, 40, _ => counted.Add(Database.Meetings.CountPasscodeTry("i1", 5)));

        Assert.Equal([1, 2, 3, 4, 5], counted.OfType<int>().Order());
        Assert.Equal(35, counted.Count(c => c is null));
    }

    [Fact]
    public void A_state_changes_only_from_the_state_named()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        Database.Meetings.AddInvitation(Samples.Invitation("i1", "m1", 7));

        Assert.False(Database.Meetings.TryChangeInvitationState("i1", InvitationState.Redeemed, InvitationState.Removed));
        Assert.True(Database.Meetings.TryChangeInvitationState("i1", InvitationState.Issued, InvitationState.Revoked));
        Assert.False(Database.Meetings.TryChangeInvitationState("i1", InvitationState.Issued, InvitationState.Redeemed));
        Assert.False(Database.Meetings.TryChangeInvitationState("nope", InvitationState.Issued, InvitationState.Revoked));
        Assert.Equal(InvitationState.Revoked, Database.Meetings.FindInvitation("i1")!.State);
    }

    [Fact]
    public void Invitations_lists_those_of_one_meeting()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        Database.Meetings.Create(Samples.Meeting("m2", _host), []);
        Database.Meetings.AddInvitation(Samples.Invitation("b", "m1", 1) with { CreatedAt = Samples.Time.AddMinutes(1) });
        Database.Meetings.AddInvitation(Samples.Invitation("a", "m1", 2) with { CreatedAt = Samples.Time.AddMinutes(2) });
        Database.Meetings.AddInvitation(Samples.Invitation("c", "m2", 3));

        Assert.Equal(["b", "a"], Database.Meetings.Invitations("m1").Select(i => i.Id));
        Assert.Empty(Database.Meetings.Invitations("m3"));
    }

    [Fact]
    public void An_invitation_needs_its_meeting_and_a_token_of_its_own()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        Database.Meetings.AddInvitation(Samples.Invitation("i1", "m1", 7));

        Assert.Equal(DomainErrorKind.NotFound,
            Assert.Throws<DomainException>(() => Database.Meetings.AddInvitation(Samples.Invitation("i2", "nope", 8))).Kind);
        Assert.Equal(DomainErrorKind.Conflict,
            Assert.Throws<DomainException>(() => Database.Meetings.AddInvitation(Samples.Invitation("i3", "m1", 7))).Kind);
        Assert.Single(Database.Meetings.Invitations("m1"));
    }

    [Fact]
    public void A_barred_member_stays_barred_from_that_meeting_only()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), [_alice]);
        Database.Meetings.Create(Samples.Meeting("m2", _host), [_alice]);
        Assert.False(Database.Meetings.IsBarred("m1", _alice));

        Database.Meetings.Bar("m1", _alice);
        Database.Meetings.Bar("m1", _alice);

        Assert.True(Database.Meetings.IsBarred("m1", _alice));
        Assert.False(Database.Meetings.IsBarred("m2", _alice));
        Assert.False(Database.Meetings.IsBarred("m1", _bob));
        Assert.Equal(DomainErrorKind.NotFound, Assert.Throws<DomainException>(() => Database.Meetings.Bar("nope", _alice)).Kind);
    }

    [Fact]
    public void A_one_time_invitation_opened_twice_at_once_is_redeemed_only_once()
    {
        Database.Meetings.Create(Samples.Meeting("m1", _host), []);
        Database.Meetings.AddInvitation(Samples.Invitation("inv", "m1", 7));

        // Both browsers read the invitation as Issued; the second write finds it redeemed.
        Assert.True(Database.Meetings.TryRedeemInvitation("inv", [1, 2, 3], refundPasscodeTry: false));
        Assert.False(Database.Meetings.TryRedeemInvitation("inv", [4, 5, 6], refundPasscodeTry: false));
        Assert.Equal([1, 2, 3], Database.Meetings.FindInvitation("inv")!.GuestPassHash);
    }
}
