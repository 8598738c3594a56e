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

    public Meeting Create(Account actor, string? title, DateTimeOffset startsAt, DateTimeOffset endsAt, IEnumerable<string> rosterUserNames, bool? lobbyForMembers = null)
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
            lobbyForMembers ?? settings.Get().LobbyForMembersByDefault, Locked: false, EndedAt: null, time.GetUtcNow());
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

    public void Revoke(Account actor, string? meetingId, string? invitationId)
    {
        var meeting = MeetingAccess.Manageable(meetings, audit, actor, meetingId, AuditAction.InvitationRevoke);
        var invitation = invitationId is null ? null : meetings.FindInvitation(invitationId);
        if (invitation is null || invitation.MeetingId != meeting.Id) throw DomainException.NotFound("No such invitation for this meeting.");
        meetings.UpdateInvitation(invitation with { State = InvitationState.Revoked });
        audit.InvitationRevoked(actor, invitation);
    }

    /// <summary>The invitation behind a link, if it can still be opened (for the page that asks for the passcode).</summary>
    public Invitation Open(string? linkToken, string source)
    {
        var invitation = FindByLink(linkToken);
        if (invitation is null)
        {
            audit.InvitationLinkUnknown(source);
            throw DomainException.NotFound("This invitation link is not valid.");
        }
        string? why = invitation.State != InvitationState.Issued ? "it has been used already"
            : invitation.ExpiresAt <= time.GetUtcNow() ? "it has expired"
            : null;
        if (why is not null)
        {
            audit.InvitationOpenRefused(source, invitation, why);
            throw DomainException.Gone($"This invitation cannot be used: {why}. Ask the host for a new one.");
        }
        return invitation;
    }

    /// <summary>Opens the invitation once: checks the passcode and turns the link into a guest pass.</summary>
    public RedeemedInvitation Redeem(string? linkToken, string? passcode, string source)
    {
        var invitation = Open(linkToken, source);
        if (invitation.PasscodeHash is not null && !hasher.Verify(passcode ?? "", invitation.PasscodeHash))
        {
            int failures = invitation.PasscodeFailures + 1;
            bool revoke = failures >= Invitation.MaxPasscodeFailures;
            if (!meetings.TryReplaceInvitation(invitation, invitation with { PasscodeFailures = failures, State = revoke ? InvitationState.Revoked : InvitationState.Issued }))
            {
                throw DomainException.Gone("This invitation changed while you entered the passcode; open the link again.");
            }
            audit.PasscodeRefused(source, invitation, revoke);
            throw revoke
                ? DomainException.Gone("Too many wrong passcodes: this invitation no longer works. Ask the host for a new one.")
                : DomainException.Invalid($"Wrong passcode ({Invitation.MaxPasscodeFailures - failures} tries left).");
        }
        string guestPass = RandomToken.New(out byte[] guestPassHash);
        var redeemed = invitation with { State = InvitationState.Redeemed, GuestPassHash = guestPassHash };
        if (!meetings.TryReplaceInvitation(invitation, redeemed))
        {
            audit.InvitationRedeemRaced(source, invitation);
            throw DomainException.Gone("This invitation has been used already. Ask the host for a new one.");
        }
        audit.InvitationRedeemed(source, invitation);
        return new RedeemedInvitation(redeemed, guestPass);
    }

    /// <summary>The invitation behind a guest pass cookie, or null for a forged or unknown one.</summary>
    public Invitation? FindGuest(string? guestPass) =>
        RandomToken.HashOf(guestPass) is { } hash ? meetings.FindInvitationByGuestPass(hash) : null;

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
