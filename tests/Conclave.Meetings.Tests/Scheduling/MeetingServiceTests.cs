using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Scheduling;
using static Conclave.Meetings.Tests.DomainHarness;

namespace Conclave.Meetings.Tests.Scheduling;

public sealed class MeetingServiceTests : IDisposable
{
    private readonly DomainHarness _h = new();
    private readonly Account _admin;
    private readonly Account _host;
    private readonly Account _otherHost;
    private readonly Account _member;

    public MeetingServiceTests()
    {
        _admin = _h.NewAccount("root", Role.Admin);
        _host = _h.NewAccount("hana", Role.Host);
        _otherHost = _h.NewAccount("otto", Role.Host);
        _member = _h.NewAccount("mo", Role.Member);
    }

    public void Dispose() => _h.Dispose();

    private MeetingService Meetings => _h.Meetings;

    // ---- creating --------------------------------------------------------------------------

    [Fact]
    public void A_host_creates_a_meeting_with_a_roster()
    {
        var meeting = Meetings.Create(_host, "  Weekly sync ", _h.Now.AddHours(1), _h.Now.AddHours(2), ["mo", " MO ", "hana", ""]);

        var details = Meetings.Details(_host, meeting.Id);
        Assert.Equal("Weekly sync", details.Meeting.Title);
        Assert.Equal(_host.Id, details.Host!.Id);
        Assert.Equal(new[] { _member.Id }, details.Roster.Select(a => a.Id));
        Assert.Equal(new AuditRecord("user:hana", AuditAction.MeetingCreate, meeting.AuditName, "ok: \"Weekly sync\", 1 on the roster"), _h.Audit.Last);
    }

    [Theory]
    [InlineData(60, 30)]             // ends before it starts
    [InlineData(60, 60)]             // ends as it starts
    [InlineData(-120, -60)]          // over already
    [InlineData(0, 7 * 24 * 60 + 1)] // longer than a week
    [InlineData(366 * 24 * 60, 366 * 24 * 60 + 60)] // more than a year ahead
    public void Impossible_dates_are_invalid_and_nothing_is_stored(int startMinutes, int endMinutes)
    {
        Refused(DomainErrorKind.Invalid, () =>
            Meetings.Create(_host, "Impossible", _h.Now.AddMinutes(startMinutes), _h.Now.AddMinutes(endMinutes), []));

        Assert.Empty(_h.Database.Meetings.List());
    }

    [Fact]
    public void A_meeting_of_exactly_a_week_exactly_a_year_ahead_is_allowed()
    {
        var start = _h.Now + MeetingService.MaxScheduleAhead;

        var meeting = Meetings.Create(_host, "Far away", start, start + MeetingService.MaxDuration, []);

        Assert.Equal(start, _h.Database.Meetings.Find(meeting.Id)!.StartsAt);
    }

    [Fact]
    public void A_meeting_that_started_already_may_still_be_created()
    {
        Assert.NotNull(Meetings.Create(_host, "Running late", _h.Now.AddMinutes(-10), _h.Now.AddMinutes(50), []));
    }

    [Fact]
    public void An_unknown_roster_user_is_invalid_and_no_meeting_is_stored()
    {
        var e = Refused(DomainErrorKind.Invalid, () =>
            Meetings.Create(_host, "Weekly", _h.Now.AddHours(1), _h.Now.AddHours(2), ["mo", "nobody"]));

        Assert.Contains("nobody", e.Message, StringComparison.Ordinal);
        Assert.Empty(_h.Database.Meetings.List());
    }

    [Fact]
    public void A_disabled_roster_user_is_invalid()
    {
        _h.Accounts.SetDisabled(_admin, _member.Id, true);

        Refused(DomainErrorKind.Invalid, () => Meetings.Create(_host, "Weekly", _h.Now.AddHours(1), _h.Now.AddHours(2), ["mo"]));
    }

    [Fact]
    public void A_member_cannot_create_meetings()
    {
        Refused(DomainErrorKind.Forbidden, () => Meetings.Create(_member, "Mine", _h.Now.AddHours(1), _h.Now.AddHours(2), []));

        Assert.Equal(new AuditRecord("user:mo", AuditAction.MeetingCreate, "meetings", "refused: not a host"), _h.Audit.Last);
        Assert.Empty(_h.Database.Meetings.List());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("line\nbreak")]
    public void A_missing_or_control_character_title_is_invalid(string title)
    {
        Refused(DomainErrorKind.Invalid, () => Meetings.Create(_host, title, _h.Now.AddHours(1), _h.Now.AddHours(2), []));
    }

    // ---- who sees what -----------------------------------------------------------------------

    [Fact]
    public void Another_host_cannot_see_the_details()
    {
        var meeting = _h.OpenMeeting(_host, "mo");

        Refused(DomainErrorKind.NotFound, () => Meetings.Details(_otherHost, meeting.Id));

        Assert.Equal(new AuditRecord("user:otto", AuditAction.MeetingView, meeting.AuditName, "refused: not its host"), _h.Audit.Last);
    }

    [Fact]
    public void A_requested_meeting_id_is_audited_cut_and_escaped()
    {
        Refused(DomainErrorKind.NotFound, () => Meetings.Details(_host, "x\n" + new string('a', 10 * 1024)));

        Assert.Equal($@"meeting:x\x0a{new string('a', 62)}…", _h.Audit.Last.Object);
    }

    [Fact]
    public void Another_host_cannot_lock_end_or_invite_to_the_meeting()
    {
        var meeting = _h.OpenMeeting(_host);

        Refused(DomainErrorKind.NotFound, () => Meetings.SetLocked(_otherHost, meeting.Id, true));
        Refused(DomainErrorKind.NotFound, () => Meetings.End(_otherHost, meeting.Id));
        Refused(DomainErrorKind.NotFound, () => Meetings.Invite(_otherHost, meeting.Id, "Gail", null, null));
        Refused(DomainErrorKind.NotFound, () => Meetings.ReplaceRoster(_otherHost, meeting.Id, ["otto"]));
        Assert.Equal(meeting, _h.Database.Meetings.Find(meeting.Id));
    }

    [Fact]
    public void An_unknown_meeting_is_not_found()
    {
        Refused(DomainErrorKind.NotFound, () => Meetings.Details(_admin, "no-such-meeting"));
        Refused(DomainErrorKind.NotFound, () => Meetings.Details(_admin, null));
    }

    [Fact]
    public void An_admin_sees_the_details_of_any_meeting()
    {
        var meeting = _h.OpenMeeting(_host, "mo");

        Assert.Equal(meeting.Id, Meetings.Details(_admin, meeting.Id).Meeting.Id);
    }

    [Fact]
    public void Admins_see_every_meeting_hosts_their_own_and_members_those_naming_them()
    {
        var hanas = _h.OpenMeeting(_host, "mo");
        var ottos = _h.OpenMeeting(_otherHost);

        Assert.Equal(new[] { hanas.Id, ottos.Id }.Order(), Meetings.ListVisible(_admin).Select(m => m.Id).Order());
        Assert.Equal(new[] { hanas.Id }, Meetings.ListVisible(_host).Select(m => m.Id));
        Assert.Equal(new[] { ottos.Id }, Meetings.ListVisible(_otherHost).Select(m => m.Id));
        Assert.Equal(new[] { hanas.Id }, Meetings.ListVisible(_member).Select(m => m.Id));
    }

    [Fact]
    public void Replacing_the_roster_changes_who_sees_the_meeting()
    {
        var meeting = _h.OpenMeeting(_host, "mo");

        Meetings.ReplaceRoster(_host, meeting.Id, ["otto"]);

        Assert.Empty(Meetings.ListVisible(_member));
        Assert.Equal(new[] { _otherHost.Id }, Meetings.Details(_host, meeting.Id).Roster.Select(a => a.Id));
    }

    // ---- invitations ---------------------------------------------------------------------------

    private IssuedInvitation Invite(string? passcode = null, int? hours = null) =>
        Meetings.Invite(_host, _h.OpenMeeting(_host).Id, "Gail Guest", hours, passcode);

    [Fact]
    public void An_invitation_is_redeemed_once()
    {
        var issued = Invite();

        var redeemed = Meetings.Redeem(issued.LinkToken, null, Source);

        Assert.Equal(InvitationState.Redeemed, redeemed.Invitation.State);
        Assert.Equal("Gail Guest", redeemed.Invitation.DisplayName);
        Refused(DomainErrorKind.Gone, () => Meetings.Redeem(issued.LinkToken, null, Source));
    }

    [Fact]
    public void An_invitation_lasts_the_configured_hours_by_default()
    {
        var issued = Invite();

        Assert.Equal(_h.Now.AddHours(72), issued.Invitation.ExpiresAt);
    }

    [Fact]
    public void An_expired_invitation_is_gone()
    {
        var issued = Invite(hours: 1);

        _h.Time.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));

        Refused(DomainErrorKind.Gone, () => Meetings.Redeem(issued.LinkToken, null, Source));
        Assert.Contains("expired", _h.Audit.Last.Outcome, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(721)]
    public void An_invitation_lifetime_out_of_range_is_invalid(int hours)
    {
        Refused(DomainErrorKind.Invalid, () => Invite(hours: hours));
    }

    [Fact]
    public void An_unknown_link_is_not_found()
    {
        Invite();

        Refused(DomainErrorKind.NotFound, () => Meetings.Redeem(new string('A', 43), null, Source));
        Refused(DomainErrorKind.NotFound, () => Meetings.Redeem("garbage", null, Source));
    }

    [Fact]
    public void A_revoked_invitation_is_gone()
    {
        var issued = Invite();

        Meetings.Revoke(_host, issued.Invitation.MeetingId, issued.Invitation.Id);

        Refused(DomainErrorKind.Gone, () => Meetings.Redeem(issued.LinkToken, null, Source));
    }

    [Fact]
    public void Nobody_is_invited_to_an_ended_meeting()
    {
        var meeting = _h.OpenMeeting(_host);
        Meetings.End(_host, meeting.Id);

        Refused(DomainErrorKind.Locked, () => Meetings.Invite(_host, meeting.Id, "Gail", null, null));
    }

    [Fact]
    public void The_right_passcode_redeems_the_invitation()
    {
        var issued = Invite("4711");

        Assert.Equal(InvitationState.Redeemed, Meetings.Redeem(issued.LinkToken, "4711", Source).Invitation.State);
    }

    [Fact]
    public void A_wrong_passcode_is_invalid_and_the_right_one_still_works()
    {
        var issued = Invite("4711");

        var e = Refused(DomainErrorKind.Invalid, () => Meetings.Redeem(issued.LinkToken, "1234", Source));

        Assert.Equal("That passcode did not open this invitation (4 tries left).", e.Message);
        Assert.Equal("refused: wrong passcode", _h.Audit.Last.Outcome);
        var redeemed = Meetings.Redeem(issued.LinkToken, "4711", Source).Invitation;
        Assert.Equal(InvitationState.Redeemed, redeemed.State);
        Assert.Equal(1, redeemed.PasscodeFailures);
    }

    /// <summary>
    /// A guest's form with no passcode, or an empty one, is a wrong passcode: refused as
    /// invalid and counted towards revoking the invitation, never an error (Konscious' Argon2
    /// refuses an empty input, so the hasher must not pass one on).
    /// </summary>
    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void A_missing_passcode_counts_as_a_wrong_one(string? passcode)
    {
        var issued = Invite("4711");

        Refused(DomainErrorKind.Invalid, () => Meetings.Redeem(issued.LinkToken, passcode, Source));

        Assert.Equal(1, _h.Database.Meetings.FindInvitation(issued.Invitation.Id)!.PasscodeFailures);
    }

    [Fact]
    public void Five_wrong_passcodes_revoke_the_invitation_even_for_the_right_one()
    {
        var issued = Invite("4711");
        for (int i = 0; i < 4; i++) Refused(DomainErrorKind.Invalid, () => Meetings.Redeem(issued.LinkToken, "0000", Source));

        Refused(DomainErrorKind.Gone, () => Meetings.Redeem(issued.LinkToken, "0000", Source));

        Assert.Equal("refused: wrong passcode, invitation revoked", _h.Audit.Last.Outcome);
        Refused(DomainErrorKind.Gone, () => Meetings.Redeem(issued.LinkToken, "4711", Source));
        Assert.Equal(InvitationState.Revoked, _h.Database.Meetings.FindInvitation(issued.Invitation.Id)!.State);
    }

    [Theory]
    [InlineData("123")]
    [InlineData("12345678901234567890123456789012345678901234567890123456789012345")]
    public void A_passcode_of_the_wrong_length_is_invalid(string passcode)
    {
        Refused(DomainErrorKind.Invalid, () => Invite(passcode));
    }

    [Fact]
    public void The_link_token_is_not_stored()
    {
        var issued = Invite();

        var stored = _h.Database.Meetings.FindInvitation(issued.Invitation.Id)!;
        Assert.Equal(System.Security.Cryptography.SHA256.HashData(System.Buffers.Text.Base64Url.DecodeFromChars(issued.LinkToken)), stored.TokenHash);
    }

    [Fact]
    public void FindGuest_finds_the_invitation_by_its_guest_pass()
    {
        var issued = Invite();
        string pass = Meetings.Redeem(issued.LinkToken, null, Source).GuestPass;

        Assert.Equal(issued.Invitation.Id, Meetings.FindGuest(pass)?.Id);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void FindGuest_returns_null_for_garbage(string? pass)
    {
        var issued = Invite();
        Meetings.Redeem(issued.LinkToken, null, Source);

        Assert.Null(Meetings.FindGuest(pass));
    }

    /// <summary>
    /// A forged guest pass or invitation link of the right length (43 characters) but with
    /// characters outside the base64url alphabet is refused as unknown, never an exception
    /// (RandomToken.HashOf checks the alphabet: Base64Url.TryDecodeFromChars throws on it).
    /// </summary>
    [Fact]
    public void A_guest_pass_or_link_of_the_right_length_but_not_base64url_is_refused()
    {
        string forged = new('%', 43);

        Assert.Null(Meetings.FindGuest(forged));
        Refused(DomainErrorKind.NotFound, () => Meetings.Redeem(forged, null, Source));
    }

    [Fact]
    public void The_link_token_is_not_a_guest_pass()
    {
        var issued = Invite();
        Meetings.Redeem(issued.LinkToken, null, Source);

        Assert.Null(Meetings.FindGuest(issued.LinkToken));
    }

    // ---- guest passes ---------------------------------------------------------------------------

    private (Invitation Invitation, string GuestPass) Redeemed(Meeting meeting)
    {
        var issued = Meetings.Invite(_host, meeting.Id, "Gail Guest", null, null);
        return (issued.Invitation, Meetings.Redeem(issued.LinkToken, null, Source).GuestPass);
    }

    /// <summary>A revoked invitation's guest pass names no one any more.</summary>
    [Fact]
    public void Revoking_an_opened_invitation_ends_its_guest_pass_and_names_the_guest_to_take_out()
    {
        var (invitation, pass) = Redeemed(_h.OpenMeeting(_host));

        var revoked = Meetings.Revoke(_host, invitation.MeetingId, invitation.Id);

        Assert.Equal((invitation.Id, InvitationState.Revoked), (revoked?.Id, revoked?.State));
        Assert.Null(Meetings.FindGuest(pass));
        Assert.Equal(new AuditRecord("user:hana", AuditAction.InvitationRevoke, invitation.AuditName, "ok: guest pass ended"), _h.Audit.Last);
    }

    [Fact]
    public void Revoking_a_link_not_opened_yet_names_nobody_to_take_out()
    {
        var issued = Invite();

        Assert.Null(Meetings.Revoke(_host, issued.Invitation.MeetingId, issued.Invitation.Id));
        Assert.Equal("ok", _h.Audit.Last.Outcome);
    }

    [Fact]
    public void Revoking_an_invitation_of_another_meeting_is_not_found()
    {
        var issued = Invite();

        Refused(DomainErrorKind.NotFound, () => Meetings.Revoke(_host, _h.OpenMeeting(_host).Id, issued.Invitation.Id));
        Assert.Equal(InvitationState.Issued, _h.Database.Meetings.FindInvitation(issued.Invitation.Id)!.State);
    }

    [Fact]
    public void A_guest_pass_outlives_the_links_expiry_while_its_meeting_runs()
    {
        var meeting = Meetings.Create(_host, "Long one", _h.Now, _h.Now.AddHours(3), []);
        var issued = Meetings.Invite(_host, meeting.Id, "Gail Guest", 1, null);
        var redeemed = Meetings.Redeem(issued.LinkToken, null, Source);

        _h.Time.Advance(TimeSpan.FromHours(2));

        Assert.NotNull(Meetings.FindGuest(redeemed.GuestPass));
        Assert.Equal(meeting.EndsAt + TimeSpan.FromMinutes(5), redeemed.GuestPassEndsAt);
    }

    /// <summary>A guest pass ends a few minutes after its meeting's scheduled end.</summary>
    [Fact]
    public void A_guest_pass_ends_five_minutes_after_the_scheduled_end()
    {
        var meeting = _h.OpenMeeting(_host);
        var (_, pass) = Redeemed(meeting);

        _h.Time.Advance(meeting.EndsAt - _h.Now + TimeSpan.FromMinutes(5) - TimeSpan.FromMilliseconds(1));
        Assert.NotNull(Meetings.FindGuest(pass));

        _h.Time.Advance(TimeSpan.FromMilliseconds(1));
        Assert.Null(Meetings.FindGuest(pass));
    }

    [Fact]
    public void A_guest_pass_ends_when_the_host_ends_the_meeting()
    {
        var meeting = _h.OpenMeeting(_host);
        var (_, pass) = Redeemed(meeting);

        Meetings.End(_host, meeting.Id);

        Assert.Null(Meetings.FindGuest(pass));
    }

    [Fact]
    public void A_link_to_a_meeting_that_is_over_cannot_be_opened()
    {
        var meeting = _h.OpenMeeting(_host);
        var issued = Meetings.Invite(_host, meeting.Id, "Gail Guest", null, null);
        Meetings.End(_host, meeting.Id);

        Refused(DomainErrorKind.Gone, () => Meetings.Redeem(issued.LinkToken, null, Source));
        Assert.StartsWith("refused: its meeting is over", _h.Audit.Last.Outcome, StringComparison.Ordinal);
    }
}
