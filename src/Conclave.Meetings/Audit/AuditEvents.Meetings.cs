using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    public static void MeetingCreateRefused(this IAuditTrail audit, Account actor) =>
        audit.Record(AuditActor.User(actor), AuditAction.MeetingCreate, AuditObject.Meetings, AuditOutcome.Refused("not a host"));

    public static void MeetingCreated(this IAuditTrail audit, Account host, Meeting meeting, int rosterCount) =>
        audit.Record(AuditActor.User(host), AuditAction.MeetingCreate, AuditObject.Of(meeting), AuditOutcome.OkWith($"\"{meeting.Title}\", {rosterCount} on the roster"));

    /// <summary>
    /// Someone who neither hosts the meeting nor is an admin tried <paramref name="action"/> on it
    /// (or on an id that names no meeting): the record keeps the id as the request gave it.
    /// </summary>
    public static void MeetingAccessRefused(this IAuditTrail audit, Account actor, AuditAction action, string? meetingId, bool meetingExists) =>
        audit.Record(AuditActor.User(actor), action, AuditObject.RequestedMeeting(meetingId),
            AuditOutcome.Refused(meetingExists ? "not its host" : "no such meeting"));

    public static void RosterReplaced(this IAuditTrail audit, Account actor, Meeting meeting, int rosterCount) =>
        audit.Record(AuditActor.User(actor), AuditAction.MeetingRoster, AuditObject.Of(meeting), AuditOutcome.OkWith($"{rosterCount} on the roster"));

    public static void MeetingLocked(this IAuditTrail audit, Account actor, Meeting meeting) =>
        audit.Record(AuditActor.User(actor), AuditAction.MeetingLock, AuditObject.Of(meeting), AuditOutcome.Ok);

    public static void MeetingUnlocked(this IAuditTrail audit, Account actor, Meeting meeting) =>
        audit.Record(AuditActor.User(actor), AuditAction.MeetingUnlock, AuditObject.Of(meeting), AuditOutcome.Ok);

    public static void MeetingEnded(this IAuditTrail audit, Account actor, Meeting meeting) =>
        audit.Record(AuditActor.User(actor), AuditAction.MeetingEnd, AuditObject.Of(meeting), AuditOutcome.Ok);

    public static void InvitationCreated(this IAuditTrail audit, Account actor, Meeting meeting, Invitation invitation) =>
        audit.Record(AuditActor.User(actor), AuditAction.InvitationCreate, AuditObject.Of(invitation),
            AuditOutcome.OkWith($"{AuditObject.Of(meeting)}, guest \"{invitation.DisplayName}\", expires {invitation.ExpiresAt:u}"));

    /// <summary>"ok" for a link not opened yet, "ok: guest pass ended" for one opened, "ok: removed already" when there was nothing left to revoke.</summary>
    public static void InvitationRevoked(this IAuditTrail audit, Account actor, Invitation before) =>
        audit.Record(AuditActor.User(actor), AuditAction.InvitationRevoke, AuditObject.Of(before), before.State switch
        {
            InvitationState.Issued => AuditOutcome.Ok,
            InvitationState.Redeemed => AuditOutcome.OkWith("guest pass ended"),
            _ => AuditOutcome.OkWith($"{Named(before.State)} already"),
        });

    public static void InvitationLinkUnknown(this IAuditTrail audit, string source) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.InvitationOpen, AuditObject.UnknownInvitation, AuditOutcome.Refused("unknown link"));

    /// <param name="why">"it has expired", "it has been used already".</param>
    public static void InvitationOpenRefused(this IAuditTrail audit, string source, Invitation invitation, string why) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.InvitationOpen, AuditObject.Of(invitation), AuditOutcome.Refused($"{why} ({invitation.State})"));

    /// <param name="revoked">This wrong passcode used the last try and revoked the invitation.</param>
    public static void PasscodeRefused(this IAuditTrail audit, string source, Invitation invitation, bool revoked) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.InvitationRedeem, AuditObject.Of(invitation),
            AuditOutcome.Refused(revoked ? "wrong passcode, invitation revoked" : "wrong passcode"));

    /// <summary>A passcode refused before it was checked: no try was left, or the invitation is <paramref name="now"/> (null: gone).</summary>
    public static void PasscodeNotChecked(this IAuditTrail audit, string source, Invitation invitation, InvitationState? now) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.InvitationRedeem, AuditObject.Of(invitation),
            AuditOutcome.Refused(now == InvitationState.Issued ? "passcode not checked, no tries left" : $"passcode not checked, invitation {Named(now)}"));

    /// <summary>
    /// The invitation stopped being issued while it was being opened: someone else opened it, or
    /// a wrong passcode or the host revoked it; <paramref name="rightPasscode"/> when this
    /// browser's passcode was right.
    /// </summary>
    public static void InvitationRedeemRaced(this IAuditTrail audit, string source, Invitation invitation, InvitationState? now, bool rightPasscode)
    {
        string what = now == InvitationState.Redeemed ? "opened by someone else at the same moment" : $"invitation {Named(now)} at the same moment";
        audit.Record(AuditActor.Anonymous(source), AuditAction.InvitationRedeem, AuditObject.Of(invitation),
            AuditOutcome.Refused(rightPasscode ? $"right passcode, but {what}" : what));
    }

    public static void InvitationRedeemed(this IAuditTrail audit, string source, Invitation invitation) =>
        audit.Record(AuditActor.Guest(invitation, source), AuditAction.InvitationRedeem, AuditObject.Of(invitation), AuditOutcome.Ok);

    private static string Named(InvitationState? state) => state?.ToString().ToLowerInvariant() ?? "deleted";
}
