using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Admission;

/// <summary>
/// The gate in front of every meeting, asked by signalling before any media flows: roster
/// members enter (or wait in the lobby, if the host chose), guests wait in the lobby until
/// the host admits or denies them, and nobody enters a locked, ended or closed meeting or
/// one they were removed from. Every decision is audited.
/// </summary>
public sealed class AdmissionService(IMeetingStore meetings, IAuditTrail audit, TimeProvider time)
{
    public Lobby Lobby { get; } = new();

    public AdmissionDecision Decide(Attendee attendee, string meetingId)
    {
        var decision = DecideQuietly(attendee, meetingId);
        audit.AdmissionDecided(attendee, meetingId, decision);
        return decision;
    }

    private AdmissionDecision DecideQuietly(Attendee attendee, string meetingId)
    {
        var meeting = meetings.Find(meetingId);
        if (meeting is null) return AdmissionDecision.Refuse(RefusalCode.NoSuchMeeting, "There is no such meeting.");
        var now = time.GetUtcNow();
        if (meeting.EndedAt is not null) return AdmissionDecision.Refuse(RefusalCode.Ended, "This meeting has ended.");
        switch (attendee)
        {
            case MemberAttendee member:
                bool isHost = member.Account.Id == meeting.HostAccountId;
                if (!isHost && !meetings.Roster(meeting.Id).Contains(member.Account.Id))
                {
                    return AdmissionDecision.Refuse(RefusalCode.NotOnRoster, "You are not on this meeting's roster.");
                }
                if (meetings.IsBarred(meeting.Id, member.Account.Id)) return AdmissionDecision.Refuse(RefusalCode.Removed, "The host removed you from this meeting.");
                if (!meeting.IsOpenAt(now)) return OutsideWindow(meeting);
                if (meeting.Locked && !isHost) return AdmissionDecision.Refuse(RefusalCode.Locked, "The host has locked this meeting.");
                return meeting.LobbyForMembers && !isHost ? AdmissionDecision.Lobby : AdmissionDecision.Enter;
            case GuestAttendee guest:
                // Read again: the host may have removed or denied this guest a moment ago.
                var invitation = meetings.FindInvitation(guest.Invitation.Id);
                if (invitation is null || invitation.MeetingId != meeting.Id) return AdmissionDecision.Refuse(RefusalCode.InvitationInvalid, "Your invitation is for another meeting.");
                switch (invitation.State)
                {
                    case InvitationState.Removed: return AdmissionDecision.Refuse(RefusalCode.Removed, "The host removed you from this meeting.");
                    case InvitationState.Denied: return AdmissionDecision.Refuse(RefusalCode.Denied, "The host did not let you in.");
                    case not InvitationState.Redeemed: return AdmissionDecision.Refuse(RefusalCode.InvitationInvalid, "Your invitation was withdrawn.");
                }
                if (!meeting.IsOpenAt(now)) return OutsideWindow(meeting);
                if (meeting.Locked) return AdmissionDecision.Refuse(RefusalCode.Locked, "The host has locked this meeting.");
                return AdmissionDecision.Lobby;
            default:
                throw new ArgumentOutOfRangeException(nameof(attendee));
        }
    }

    /// <summary>
    /// What the meeting page may tell this person: the title to those it concerns (host,
    /// roster, its guests), whether it may be recorded, and whether they run it (host, admin: the page links to its
    /// lobby and controls). Null for anyone else, who learns nothing.
    /// </summary>
    public MeetingView? ViewFor(Attendee attendee, string meetingId)
    {
        var meeting = meetingId.Length <= 64 ? meetings.Find(meetingId) : null;
        if (meeting is null) return null;
        bool runsIt = attendee is MemberAttendee host && (host.Account.Id == meeting.HostAccountId || host.Account.Holds(Role.Admin));
        bool concerned = runsIt || attendee switch
        {
            MemberAttendee m => meetings.Roster(meeting.Id).Contains(m.Account.Id),
            GuestAttendee g => g.Invitation.MeetingId == meeting.Id,
            _ => false,
        };
        return concerned ? new MeetingView(meeting.Title, runsIt, meeting.Recordable) : null;
    }

    private static AdmissionDecision OutsideWindow(Meeting meeting) => AdmissionDecision.Refuse(RefusalCode.OutsideTimeWindow,
        $"This meeting runs from {meeting.StartsAt:yyyy-MM-dd HH:mm} to {meeting.EndsAt:yyyy-MM-dd HH:mm} UTC; you may come in {Meeting.EarlyEntry.TotalMinutes:0} minutes early.");

    /// <summary>Puts someone in the lobby; null when the lobby is full.</summary>
    public LobbyEntry? Wait(Attendee attendee, string meetingId) => Lobby.Enter(meetingId, attendee, time.GetUtcNow());

    /// <summary>
    /// Lets a waiting person in. A guest whose invitation was revoked while they waited is
    /// turned away instead (their wait ends as denied) and the host is told.
    /// </summary>
    public void Admit(Account actor, string? meetingId, string? entryId)
    {
        var (meeting, entry) = Waiting(actor, meetingId, entryId, AuditAction.LobbyAdmit);
        if (entry.Attendee is GuestAttendee guest && meetings.FindInvitation(guest.Invitation.Id) is not { State: InvitationState.Redeemed })
        {
            audit.LobbyAdmitRefused(actor, meeting, guest);
            Lobby.Resolve(entry, LobbyOutcome.Denied);
            throw DomainException.Gone("This guest's invitation was revoked while they waited: they cannot be let in.");
        }
        audit.LobbyAdmitted(actor, meeting, entry.Attendee);
        Lobby.Resolve(entry, LobbyOutcome.Admitted);
    }

    /// <summary>Denies a waiting person; a guest's invitation, or a member's place in this meeting, is gone for good.</summary>
    public void Deny(Account actor, string? meetingId, string? entryId)
    {
        var (meeting, entry) = Waiting(actor, meetingId, entryId, AuditAction.LobbyDeny);
        Exclude(meeting, entry.Attendee, InvitationState.Denied);
        audit.LobbyDenied(actor, meeting, entry.Attendee);
        Lobby.Resolve(entry, LobbyOutcome.Denied);
    }

    /// <summary>Removes someone from the meeting for good; the caller closes their connection.</summary>
    public void Remove(Account actor, string? meetingId, Attendee attendee)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.ParticipantRemove);
        if (attendee is MemberAttendee { Account.Id: var id } && id == meeting.HostAccountId) throw DomainException.Invalid("The host cannot remove themselves; leave or end the meeting instead.");
        Exclude(meeting, attendee, InvitationState.Removed);
        audit.ParticipantRemoved(actor, meeting, attendee);
    }

    /// <summary>
    /// Takes the guest of an invitation <see cref="MeetingService.Revoke"/> just revoked out of the
    /// lobby (their wait ends as denied), and returns them as signalling knows them, for the
    /// caller to close their connection if they are inside.
    /// </summary>
    public GuestAttendee Dismiss(Invitation revoked)
    {
        var guest = new GuestAttendee(revoked);
        Lobby.ResolveAll(revoked.MeetingId, guest.Key, LobbyOutcome.Denied);
        return guest;
    }

    /// <summary>Tells everyone waiting that the meeting ended (after <see cref="MeetingService.End"/>).</summary>
    public void CloseLobby(string meetingId) => Lobby.ResolveAll(meetingId, LobbyOutcome.MeetingEnded);

    private void Exclude(Meeting meeting, Attendee attendee, InvitationState state)
    {
        switch (attendee)
        {
            case MemberAttendee member:
                meetings.Bar(meeting.Id, member.Account.Id);
                break;
            case GuestAttendee guest:
                // Only from redeemed: an invitation revoked meanwhile stays revoked.
                meetings.TryChangeInvitationState(guest.Invitation.Id, InvitationState.Redeemed, state);
                break;
        }
    }

    private (Meeting, LobbyEntry) Waiting(Account actor, string? meetingId, string? entryId, AuditAction action)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, action);
        var entry = entryId is null ? null : Lobby.Find(meeting.Id, entryId);
        if (entry is null) throw DomainException.NotFound("Nobody with that entry waits in this meeting's lobby (they may have left).");
        return (meeting, entry);
    }
}
