using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Scheduling;
using static Conclave.Meetings.Tests.DomainHarness;

namespace Conclave.Meetings.Tests.Admission;

public sealed class AdmissionServiceTests : IDisposable
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(10);

    private readonly DomainHarness _h = new();
    private readonly Account _host;
    private readonly Account _otherHost;
    private readonly Account _member;
    private readonly Account _outsider;
    private readonly Meeting _meeting;

    public AdmissionServiceTests()
    {
        _host = _h.NewAccount("hana", Role.Host);
        _otherHost = _h.NewAccount("otto", Role.Host);
        _member = _h.NewAccount("mo", Role.Member);
        _outsider = _h.NewAccount("olga", Role.Member);
        _meeting = _h.OpenMeeting(_host, "mo");
    }

    public void Dispose() => _h.Dispose();

    private AdmissionService Admission => _h.Admission;

    private AdmissionDecision Decide(Attendee attendee) => Admission.Decide(attendee, _meeting.Id);

    private static void AssertRefused(RefusalCode code, AdmissionDecision decision)
    {
        Assert.Equal(AdmissionVerdict.Refuse, decision.Verdict);
        Assert.Equal(code, decision.Code);
    }

    // ---- deciding --------------------------------------------------------------------------------

    [Fact]
    public void Only_those_the_meeting_concerns_learn_its_title_and_only_its_host_is_told_they_run_it()
    {
        Assert.Equal(new MeetingView(_meeting.Title, RunsIt: true, Recordable: false), Admission.ViewFor(new MemberAttendee(_host), _meeting.Id));
        Assert.Equal(new MeetingView(_meeting.Title, RunsIt: false, Recordable: false), Admission.ViewFor(new MemberAttendee(_member), _meeting.Id));
        Assert.Null(Admission.ViewFor(new MemberAttendee(_outsider), _meeting.Id));
        Assert.Null(Admission.ViewFor(new MemberAttendee(_otherHost), _meeting.Id));
        Assert.Null(Admission.ViewFor(new MemberAttendee(_member), "no-such-meeting"));
    }

    [Fact]
    public void A_roster_member_enters()
    {
        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_member)));
    }

    [Fact]
    public void The_host_enters()
    {
        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_host)));
    }

    [Fact]
    public void Someone_not_on_the_roster_is_refused()
    {
        AssertRefused(RefusalCode.NotOnRoster, Decide(new MemberAttendee(_outsider)));
        AssertRefused(RefusalCode.NotOnRoster, Decide(new MemberAttendee(_otherHost)));
    }

    [Fact]
    public void An_unknown_meeting_is_refused()
    {
        AssertRefused(RefusalCode.NoSuchMeeting, Admission.Decide(new MemberAttendee(_member), "no-such-meeting"));
    }

    [Fact]
    public void A_guest_with_a_redeemed_invitation_waits_in_the_lobby()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        Assert.Equal(AdmissionDecision.Lobby, Decide(guest));
    }

    [Fact]
    public void A_guest_invited_to_another_meeting_is_refused()
    {
        var other = _h.OpenMeeting(_otherHost);
        var (guest, _) = _h.RedeemedGuest(_otherHost, other);

        AssertRefused(RefusalCode.InvitationInvalid, Decide(guest));
    }

    [Fact]
    public void A_guest_whose_invitation_was_revoked_is_refused()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        _h.Meetings.Revoke(_host, _meeting.Id, guest.Invitation.Id);

        AssertRefused(RefusalCode.InvitationInvalid, Decide(guest));
    }

    [Fact]
    public void A_denied_or_removed_guests_pass_still_names_them_so_that_admission_says_why()
    {
        var (denied, deniedPass) = _h.RedeemedGuest(_host, _meeting, "Dee");
        var (removed, removedPass) = _h.RedeemedGuest(_host, _meeting, "Rae");
        Admission.Deny(_host, _meeting.Id, Admission.Wait(denied, _meeting.Id)!.Id);
        Admission.Remove(_host, _meeting.Id, removed);

        AssertRefused(RefusalCode.Denied, Decide(new GuestAttendee(_h.Meetings.FindGuest(deniedPass)!)));
        AssertRefused(RefusalCode.Removed, Decide(new GuestAttendee(_h.Meetings.FindGuest(removedPass)!)));
    }

    [Fact]
    public void Removing_a_guest_whose_invitation_was_revoked_leaves_it_revoked()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        _h.Meetings.Revoke(_host, _meeting.Id, guest.Invitation.Id);

        Admission.Remove(_host, _meeting.Id, guest);

        Assert.Equal(InvitationState.Revoked, _h.Database.Meetings.FindInvitation(guest.Invitation.Id)!.State);
    }

    [Fact]
    public void Members_wait_in_the_lobby_when_the_host_chose_so_but_the_host_does_not()
    {
        var meeting = _h.Meetings.Create(_host, "Lobby first", _h.Now, _h.Now.AddHours(1), ["mo"], lobbyForMembers: true);

        Assert.Equal(AdmissionDecision.Lobby, Admission.Decide(new MemberAttendee(_member), meeting.Id));
        Assert.Equal(AdmissionDecision.Enter, Admission.Decide(new MemberAttendee(_host), meeting.Id));
    }

    [Fact]
    public void A_locked_meeting_refuses_newcomers_but_not_its_host()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        _h.Meetings.SetLocked(_host, _meeting.Id, true);

        AssertRefused(RefusalCode.Locked, Decide(new MemberAttendee(_member)));
        AssertRefused(RefusalCode.Locked, Decide(guest));
        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_host)));
    }

    [Fact]
    public void An_unlocked_meeting_lets_members_in_again()
    {
        _h.Meetings.SetLocked(_host, _meeting.Id, true);
        _h.Meetings.SetLocked(_host, _meeting.Id, false);

        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_member)));
    }

    [Fact]
    public void An_ended_meeting_refuses_everyone()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        _h.Meetings.End(_host, _meeting.Id);

        AssertRefused(RefusalCode.Ended, Decide(new MemberAttendee(_member)));
        AssertRefused(RefusalCode.Ended, Decide(new MemberAttendee(_host)));
        AssertRefused(RefusalCode.Ended, Decide(guest));
    }

    [Fact]
    public void Nobody_enters_more_than_fifteen_minutes_before_the_start()
    {
        var later = _h.Meetings.Create(_host, "Later", _h.Now.AddMinutes(16), _h.Now.AddHours(1), ["mo"]);

        AssertRefused(RefusalCode.OutsideTimeWindow, Admission.Decide(new MemberAttendee(_member), later.Id));
        AssertRefused(RefusalCode.OutsideTimeWindow, Admission.Decide(new MemberAttendee(_host), later.Id));

        _h.Time.Advance(TimeSpan.FromMinutes(1));

        Assert.Equal(AdmissionDecision.Enter, Admission.Decide(new MemberAttendee(_member), later.Id));
    }

    [Fact]
    public void Nobody_enters_after_the_scheduled_end()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        _h.Time.Advance(TimeSpan.FromMinutes(65));

        AssertRefused(RefusalCode.OutsideTimeWindow, Decide(new MemberAttendee(_member)));
        AssertRefused(RefusalCode.OutsideTimeWindow, Decide(guest));
    }

    // ---- the lobby ---------------------------------------------------------------------------------

    [Fact]
    public async Task Admitting_a_waiting_guest_resolves_the_entry_as_admitted()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        var entry = Admission.Wait(guest, _meeting.Id)!;
        Assert.Single(Admission.Lobby.Waiting(_meeting.Id));

        Admission.Admit(_host, _meeting.Id, entry.Id);

        Assert.Equal(LobbyOutcome.Admitted, await entry.Outcome.WaitAsync(Patience));
        Assert.Empty(Admission.Lobby.Waiting(_meeting.Id));
        Assert.Equal(new AuditRecord("user:hana", AuditAction.LobbyAdmit, guest.AuditName, $"ok: {_meeting.AuditName}"), _h.Audit.Last);
    }

    /// <summary>A guest whose invitation is revoked while they wait cannot be let in.</summary>
    [Fact]
    public async Task Admitting_a_guest_whose_invitation_was_revoked_while_waiting_turns_them_away()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        var entry = Admission.Wait(guest, _meeting.Id)!;
        _h.Meetings.Revoke(_host, _meeting.Id, guest.Invitation.Id);

        Refused(DomainErrorKind.Gone, () => Admission.Admit(_host, _meeting.Id, entry.Id));

        Assert.Equal(LobbyOutcome.Denied, await entry.Outcome.WaitAsync(Patience));
        Assert.Empty(Admission.Lobby.Waiting(_meeting.Id));
        Assert.Equal(new AuditRecord("user:hana", AuditAction.LobbyAdmit, guest.AuditName, $"refused: invitation revoked, {_meeting.AuditName}"), _h.Audit.Last);
    }

    [Fact]
    public async Task Dismissing_a_revoked_guest_ends_every_wait_of_theirs_and_names_them_for_disconnection()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        var (other, _) = _h.RedeemedGuest(_host, _meeting, "Gus");
        var entry = Admission.Wait(guest, _meeting.Id)!;
        var othersEntry = Admission.Wait(other, _meeting.Id)!;

        var revoked = _h.Meetings.Revoke(_host, _meeting.Id, guest.Invitation.Id)!;
        var dismissed = Admission.Dismiss(revoked);

        Assert.Equal(guest.Key, dismissed.Key);
        Assert.Equal(LobbyOutcome.Denied, await entry.Outcome.WaitAsync(Patience));
        Assert.Equal(othersEntry.Id, Assert.Single(Admission.Lobby.Waiting(_meeting.Id)).Id);
        AssertRefused(RefusalCode.InvitationInvalid, Decide(dismissed));
    }

    [Fact]
    public async Task A_denied_guest_is_refused_when_they_try_again()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        var entry = Admission.Wait(guest, _meeting.Id)!;

        Admission.Deny(_host, _meeting.Id, entry.Id);

        Assert.Equal(LobbyOutcome.Denied, await entry.Outcome.WaitAsync(Patience));
        AssertRefused(RefusalCode.Denied, Decide(guest));
    }

    [Fact]
    public void A_removed_member_is_refused_when_they_try_again()
    {
        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_member)));

        Admission.Remove(_host, _meeting.Id, new MemberAttendee(_member));

        AssertRefused(RefusalCode.Removed, Decide(new MemberAttendee(_member)));
        Assert.Equal(new AuditRecord("user:hana", AuditAction.ParticipantRemove, "user:mo", $"ok: {_meeting.AuditName}"), _h.Audit.Of(AuditAction.ParticipantRemove).Single());
    }

    [Fact]
    public void A_removed_guest_is_refused_when_they_try_again()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        Admission.Remove(_host, _meeting.Id, guest);

        AssertRefused(RefusalCode.Removed, Decide(guest));
    }

    [Fact]
    public void The_host_cannot_remove_themselves()
    {
        Refused(DomainErrorKind.Invalid, () => Admission.Remove(_host, _meeting.Id, new MemberAttendee(_host)));

        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_host)));
    }

    [Fact]
    public void Someone_who_is_not_the_host_cannot_admit_deny_or_remove()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        var entry = Admission.Wait(guest, _meeting.Id)!;

        Refused(DomainErrorKind.NotFound, () => Admission.Admit(_otherHost, _meeting.Id, entry.Id));
        Refused(DomainErrorKind.NotFound, () => Admission.Admit(_member, _meeting.Id, entry.Id));
        Refused(DomainErrorKind.NotFound, () => Admission.Deny(_otherHost, _meeting.Id, entry.Id));
        Refused(DomainErrorKind.NotFound, () => Admission.Remove(_otherHost, _meeting.Id, new MemberAttendee(_member)));

        Assert.Equal("refused: not its host", _h.Audit.Last.Outcome);
        Assert.False(entry.Outcome.IsCompleted);
        Assert.Equal(AdmissionDecision.Enter, Decide(new MemberAttendee(_member)));
    }

    [Fact]
    public void Admitting_an_entry_of_another_meeting_is_not_found()
    {
        var other = _h.OpenMeeting(_otherHost);
        var (guest, _) = _h.RedeemedGuest(_otherHost, other);
        var entry = Admission.Wait(guest, other.Id)!;

        Refused(DomainErrorKind.NotFound, () => Admission.Admit(_host, _meeting.Id, entry.Id));
        Refused(DomainErrorKind.NotFound, () => Admission.Admit(_host, _meeting.Id, "w999"));

        Assert.False(entry.Outcome.IsCompleted);
    }

    [Fact]
    public async Task Waiting_twice_drops_the_older_entry()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);
        var first = Admission.Wait(guest, _meeting.Id)!;

        var second = Admission.Wait(guest, _meeting.Id)!;

        Assert.Equal(LobbyOutcome.Denied, await first.Outcome.WaitAsync(Patience));
        Assert.Equal(second.Id, Assert.Single(Admission.Lobby.Waiting(_meeting.Id)).Id);
    }

    [Fact]
    public async Task Closing_the_lobby_tells_everyone_waiting_that_the_meeting_ended()
    {
        var gail = Admission.Wait(_h.RedeemedGuest(_host, _meeting, "Gail").Guest, _meeting.Id)!;
        var gus = Admission.Wait(_h.RedeemedGuest(_host, _meeting, "Gus").Guest, _meeting.Id)!;

        _h.Meetings.End(_host, _meeting.Id);
        Admission.CloseLobby(_meeting.Id);

        Assert.Equal(
            new[] { LobbyOutcome.MeetingEnded, LobbyOutcome.MeetingEnded },
            await Task.WhenAll(gail.Outcome, gus.Outcome).WaitAsync(Patience));
        Assert.Empty(Admission.Lobby.Waiting(_meeting.Id));
    }

    [Fact]
    public void The_lobby_holds_at_most_fifty_per_meeting()
    {
        for (int i = 0; i < Lobby.MaxWaitingPerMeeting; i++)
        {
            Assert.NotNull(Admission.Wait(new MemberAttendee(_member with { Id = 1000 + i }), _meeting.Id));
        }

        Assert.Null(Admission.Wait(new MemberAttendee(_member), _meeting.Id));
    }

    [Fact]
    public void Every_decision_is_audited()
    {
        var (guest, _) = _h.RedeemedGuest(_host, _meeting);

        Decide(new MemberAttendee(_member));
        Decide(new MemberAttendee(_outsider));
        Decide(guest);
        Admission.Decide(new MemberAttendee(_member), "no-such-meeting");

        Assert.Equal(
            new[]
            {
                new AuditRecord("user:mo", AuditAction.Admission, _meeting.AuditName, "ok: enter"),
                new AuditRecord("user:olga", AuditAction.Admission, _meeting.AuditName, "refused: not-on-roster"),
                new AuditRecord(guest.AuditName, AuditAction.Admission, _meeting.AuditName, "ok: lobby"),
                new AuditRecord("user:mo", AuditAction.Admission, "meeting:no-such-meeting", "refused: no-such-meeting"),
            },
            _h.Audit.Of(AuditAction.Admission));
    }

    [Fact]
    public void Every_lobby_and_removal_decision_is_audited()
    {
        var (gail, _) = _h.RedeemedGuest(_host, _meeting, "Gail");
        var (gus, _) = _h.RedeemedGuest(_host, _meeting, "Gus");
        Admission.Admit(_host, _meeting.Id, Admission.Wait(gail, _meeting.Id)!.Id);
        Admission.Deny(_host, _meeting.Id, Admission.Wait(gus, _meeting.Id)!.Id);
        Admission.Remove(_host, _meeting.Id, gail);

        Assert.Equal(
            new[] { (AuditAction.LobbyAdmit, gail.AuditName), (AuditAction.LobbyDeny, gus.AuditName), (AuditAction.ParticipantRemove, gail.AuditName) },
            _h.Audit.Records.Where(r => r.Actor == "user:hana" && (r.Action == AuditAction.LobbyAdmit || r.Action == AuditAction.LobbyDeny || r.Action == AuditAction.ParticipantRemove))
                .Select(r => (r.Action, r.Object)));
    }
}
