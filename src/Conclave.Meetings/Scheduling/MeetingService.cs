using System.Buffers.Text;
using System.Security.Cryptography;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Settings;

namespace Conclave.Meetings.Scheduling;

/// <summary>
/// Hosts schedule meetings with a roster, invite guests with one-time links, and lock or
/// end their meetings. Each change is audited.
/// </summary>
public sealed class MeetingService(IMeetingStore meetings, IAccountStore accounts, ISettingsStore settings, IAuditTrail audit,
    PasswordHasher hasher, TimeProvider time)
{
    /// <summary>A meeting lasts at most a week, and is scheduled at most a year ahead.</summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(7);
    public static readonly TimeSpan MaxScheduleAhead = TimeSpan.FromDays(365);

    public Meeting Create(Account actor, string? title, DateTimeOffset startsAt, DateTimeOffset endsAt, IEnumerable<string> rosterUserNames, bool? lobbyForMembers = null, bool recordable = false)
    {
        if (!actor.Holds(Role.Host | Role.Admin))
        {
            audit.MeetingCreateRefused(actor);
            throw DomainException.Forbidden("Only a host or an admin may create meetings.");
        }
        string checkedTitle = Validation.Title(title);
        CheckTimes(startsAt, endsAt);
        var roster = ResolveRoster(rosterUserNames, actor);
        var meeting = new Meeting(NewId(9), checkedTitle, actor.Id, startsAt, endsAt,
            lobbyForMembers ?? settings.Get().LobbyForMembersByDefault, Locked: false, EndedAt: null, time.GetUtcNow(), recordable);
        meetings.Create(meeting, roster);
        audit.MeetingCreated(actor, meeting, roster.Count);
        return meeting;
    }

    /// <summary>Admins see every meeting, hosts the ones they host, members the ones whose roster names them.</summary>
    public IReadOnlyList<Meeting> ListVisible(Account actor)
    {
        if (actor.Holds(Role.Admin)) return meetings.List();
        var visible = new Dictionary<string, Meeting>(StringComparer.Ordinal);
        foreach (var m in meetings.ListWithMember(actor.Id)) visible[m.Id] = m;
        foreach (var m in meetings.ListHostedBy(actor.Id)) visible[m.Id] = m;
        return visible.Values.OrderBy(m => m.StartsAt).ToList();
    }

    public MeetingDetails Details(Account actor, string? meetingId)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.MeetingView);
        var roster = meetings.Roster(meeting.Id).Select(accounts.Find).OfType<Account>().OrderBy(a => a.UserName).ToList();
        return new MeetingDetails(meeting, accounts.Find(meeting.HostAccountId), roster, meetings.Invitations(meeting.Id));
    }

    public void ReplaceRoster(Account actor, string? meetingId, IEnumerable<string> rosterUserNames)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.MeetingRoster);
        var roster = ResolveRoster(rosterUserNames, actor);
        meetings.ReplaceRoster(meeting.Id, roster);
        audit.RosterReplaced(actor, meeting, roster.Count);
    }

    public Meeting SetLocked(Account actor, string? meetingId, bool locked)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, locked ? AuditAction.MeetingLock : AuditAction.MeetingUnlock);
        var updated = meeting with { Locked = locked };
        meetings.Update(updated);
        if (locked) audit.MeetingLocked(actor, meeting);
        else audit.MeetingUnlocked(actor, meeting);
        return updated;
    }

    /// <summary>Ends the meeting for everyone; the caller disconnects those inside and the lobby.</summary>
    public Meeting End(Account actor, string? meetingId)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.MeetingEnd);
        if (meeting.EndedAt is not null) return meeting;
        var ended = meeting with { EndedAt = time.GetUtcNow() };
        meetings.Update(ended);
        audit.MeetingEnded(actor, meeting);
        return ended;
    }

    // ---- invitations ---------------------------------------------------------------------

    public IssuedInvitation Invite(Account actor, string? meetingId, string? guestName, int? lifetimeHours, string? passcode)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.InvitationCreate);
        if (meeting.EndedAt is not null) throw DomainException.Locked("This meeting has ended: nobody can be invited to it.");
        string name = Validation.DisplayName(guestName);
        int hours = lifetimeHours ?? settings.Get().InvitationLifetimeHours;
        if (hours is < 1 or > ApplianceSettings.MaxInvitationLifetimeHours)
        {
            throw DomainException.Invalid($"An invitation lasts 1 to {ApplianceSettings.MaxInvitationLifetimeHours} hours.");
        }
        string? passcodeHash = null;
        if (!string.IsNullOrEmpty(passcode))
        {
            if (passcode.Length is < 4 or > Validation.MaxPasscodeLength) throw DomainException.Invalid($"A passcode has 4 to {Validation.MaxPasscodeLength} characters.");
            passcodeHash = hasher.HashPasscode(passcode);
        }
        string linkToken = RandomToken.New(out byte[] tokenHash);
        var now = time.GetUtcNow();
        var invitation = new Invitation(NewId(9), meeting.Id, tokenHash, name, now.AddHours(hours), passcodeHash, 0,
            InvitationState.Issued, null, now);
        meetings.AddInvitation(invitation);
        audit.InvitationCreated(actor, meeting, invitation);
        return new IssuedInvitation(invitation, linkToken);
    }

    /// <summary>
    /// Withdraws an invitation, opened or not. Returns it when it had been opened: its guest
    /// pass stops working at once, and the caller takes its guest out of the lobby
    /// (<see cref="Admission.AdmissionService.Dismiss"/>) and closes their connection if they are
    /// inside. Null when nobody held its pass (not opened yet, or denied, removed or revoked already).
    /// </summary>
    public Invitation? Revoke(Account actor, string? meetingId, string? invitationId)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.InvitationRevoke);
        var invitation = invitationId is null ? null : meetings.FindInvitation(invitationId);
        while (invitation is not null && invitation.MeetingId == meeting.Id)
        {
            if (invitation.State is not (InvitationState.Issued or InvitationState.Redeemed))
            {
                audit.InvitationRevoked(actor, invitation);
                return null;
            }
            if (meetings.TryChangeInvitationState(invitation.Id, invitation.State, InvitationState.Revoked))
            {
                audit.InvitationRevoked(actor, invitation);
                return invitation.State == InvitationState.Redeemed ? invitation with { State = InvitationState.Revoked } : null;
            }
            // Opened, denied or removed this moment: revoke what it is now.
            invitation = meetings.FindInvitation(invitation.Id);
        }
        throw DomainException.NotFound("No such invitation for this meeting.");
    }

    /// <summary>The invitation behind a link, if it can still be opened (for the page that asks for the passcode).</summary>
    public Invitation Open(string? linkToken, string source) => Openable(linkToken, source).Invitation;

    private (Invitation Invitation, Meeting Meeting) Openable(string? linkToken, string source)
    {
        var invitation = FindByLink(linkToken);
        if (invitation is null)
        {
            audit.InvitationLinkUnknown(source);
            throw DomainException.NotFound("This invitation link is not valid.");
        }
        var meeting = meetings.Find(invitation.MeetingId);
        var now = time.GetUtcNow();
        string? why = invitation.State != InvitationState.Issued ? "it has been used already"
            : invitation.ExpiresAt <= now ? "it has expired"
            : meeting is null || meeting.GuestPassesEndAt <= now ? "its meeting is over"
            : null;
        if (why is not null)
        {
            audit.InvitationOpenRefused(source, invitation, why);
            throw DomainException.Gone($"This invitation cannot be used: {why}. Ask the host for a new one.");
        }
        return (invitation, meeting!);
    }

    /// <summary>
    /// Opens the invitation once: checks the passcode, if it has one, and turns the link into a
    /// guest pass. Each passcode try is counted before it is checked, so at most
    /// <see cref="Invitation.MaxPasscodeFailures"/> are ever checked, however many arrive at
    /// once; the wrong try that uses the last one revokes the invitation, and the right
    /// passcode is not counted against the guest. Every refusal after a passcode was entered
    /// says "That passcode did not open this invitation", with the tries left or that it no
    /// longer works; the right passcode that lost a race reads exactly as a wrong last try, so
    /// a guesser learns nothing from a race.
    /// </summary>
    public RedeemedInvitation Redeem(string? linkToken, string? passcode, string source)
    {
        var (invitation, meeting) = Openable(linkToken, source);
        bool passcodeChecked = invitation.PasscodeHash is not null;
        if (passcodeChecked)
        {
            if (meetings.CountPasscodeTry(invitation.Id, Invitation.MaxPasscodeFailures) is not { } tries)
            {
                audit.PasscodeNotChecked(source, invitation, StateNow(invitation));
                throw PasscodeRefused(triesLeft: 0);
            }
            if (!hasher.Verify(passcode ?? "", invitation.PasscodeHash!))
            {
                // The last try was this one: nobody may try again (unless a right passcode tried at the same time already won).
                bool revoked = tries >= Invitation.MaxPasscodeFailures
                    && meetings.TryChangeInvitationState(invitation.Id, InvitationState.Issued, InvitationState.Revoked);
                audit.PasscodeRefused(source, invitation, revoked);
                throw PasscodeRefused(Invitation.MaxPasscodeFailures - tries);
            }
        }
        string guestPass = RandomToken.New(out byte[] guestPassHash);
        if (!meetings.TryRedeemInvitation(invitation.Id, guestPassHash, refundPasscodeTry: passcodeChecked))
        {
            audit.InvitationRedeemRaced(source, invitation, StateNow(invitation), passcodeChecked);
            throw passcodeChecked ? PasscodeRefused(triesLeft: 0) : DomainException.Gone("This invitation has been used already. Ask the host for a new one.");
        }
        audit.InvitationRedeemed(source, invitation);
        var redeemed = meetings.FindInvitation(invitation.Id) ?? throw DomainException.NotFound("This invitation was deleted as it was opened.");
        return new RedeemedInvitation(redeemed, guestPass, meeting.GuestPassesEndAt);
    }

    /// <summary>The one answer to a passcode that did not open the invitation, for whatever reason.</summary>
    private static DomainException PasscodeRefused(int triesLeft) => triesLeft > 0
        ? DomainException.Invalid($"That passcode did not open this invitation ({triesLeft} tries left).")
        : DomainException.Gone("That passcode did not open this invitation, and it no longer works. Ask the host for a new one.");

    private InvitationState? StateNow(Invitation invitation) => meetings.FindInvitation(invitation.Id)?.State;

    /// <summary>
    /// The guest behind a guest pass cookie, or null for a forged or unknown pass, one whose
    /// invitation was revoked, and one whose meeting ended or is past its scheduled end
    /// (<see cref="Meeting.GuestPassesEndAt"/>); the link's own expiry does not end a pass. A
    /// denied or removed guest is still found, so that admission tells them why it refuses them.
    /// </summary>
    public Invitation? FindGuest(string? guestPass)
    {
        if (RandomToken.HashOf(guestPass) is not { } hash || meetings.FindInvitationByGuestPass(hash) is not { } invitation) return null;
        if (invitation.State is not (InvitationState.Redeemed or InvitationState.Denied or InvitationState.Removed)) return null;
        return meetings.Find(invitation.MeetingId) is { } meeting && time.GetUtcNow() < meeting.GuestPassesEndAt ? invitation : null;
    }

    private Invitation? FindByLink(string? linkToken) =>
        RandomToken.HashOf(linkToken) is { } hash ? meetings.FindInvitationByToken(hash) : null;

    private void CheckTimes(DateTimeOffset startsAt, DateTimeOffset endsAt)
    {
        var now = time.GetUtcNow();
        if (endsAt <= startsAt) throw DomainException.Invalid("A meeting must end after it starts.");
        if (endsAt <= now) throw DomainException.Invalid("That meeting would be over already: its end is in the past.");
        if (endsAt - startsAt > MaxDuration) throw DomainException.Invalid($"A meeting lasts at most {MaxDuration.TotalDays:0} days.");
        if (startsAt - now > MaxScheduleAhead) throw DomainException.Invalid("A meeting starts at most a year from now.");
    }

    private List<long> ResolveRoster(IEnumerable<string> userNames, Account host)
    {
        var roster = new List<long>();
        foreach (string raw in userNames)
        {
            if (string.IsNullOrWhiteSpace(raw)) continue;
            string name = raw.Trim().ToLowerInvariant();
            var account = accounts.FindByUserName(name);
            if (account is null || name.Length > Validation.MaxUserNameLength) throw DomainException.Invalid($"No user named '{MeetingAccess.Truncate(name)}': the roster names existing accounts.");
            if (account.Disabled) throw DomainException.Invalid($"The account '{name}' is disabled.");
            if (account.Id != host.Id && !roster.Contains(account.Id)) roster.Add(account.Id);
            if (roster.Count > Validation.MaxRosterSize) throw DomainException.Invalid($"A roster names at most {Validation.MaxRosterSize} people.");
        }
        return roster;
    }

    /// <summary>A random URL-safe id (base64url): 9 bytes give 12 characters and 72 bits.</summary>
    private static string NewId(int bytes) => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(bytes));
}
