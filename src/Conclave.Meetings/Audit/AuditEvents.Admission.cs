using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    /// <summary>"ok: enter", "ok: lobby" or "refused: &lt;refusal code&gt;", for the meeting id as signalling gave it.</summary>
    public static void AdmissionDecided(this IAuditTrail audit, Attendee attendee, string meetingId, AdmissionDecision decision) =>
        audit.Record(AuditActor.Of(attendee), AuditAction.Admission, AuditObject.RequestedMeeting(meetingId), decision.Verdict switch
        {
            AdmissionVerdict.Enter => AuditOutcome.OkWith("enter"),
            AdmissionVerdict.WaitInLobby => AuditOutcome.OkWith("lobby"),
            _ => AuditOutcome.Refused(decision.Code!.Value.AuditName()),
        });

    public static void LobbyAdmitted(this IAuditTrail audit, Account host, Meeting meeting, Attendee attendee) =>
        audit.Record(AuditActor.User(host), AuditAction.LobbyAdmit, AuditObject.Of(attendee), AuditOutcome.OkWith(AuditObject.Of(meeting).Text));

    /// <summary>The host admitted a guest whose invitation was revoked while they waited: they were turned away.</summary>
    public static void LobbyAdmitRefused(this IAuditTrail audit, Account host, Meeting meeting, Attendee attendee) =>
        audit.Record(AuditActor.User(host), AuditAction.LobbyAdmit, AuditObject.Of(attendee), AuditOutcome.Refused($"invitation revoked, {AuditObject.Of(meeting).Text}"));

    public static void LobbyDenied(this IAuditTrail audit, Account host, Meeting meeting, Attendee attendee) =>
        audit.Record(AuditActor.User(host), AuditAction.LobbyDeny, AuditObject.Of(attendee), AuditOutcome.OkWith(AuditObject.Of(meeting).Text));

    public static void ParticipantRemoved(this IAuditTrail audit, Account host, Meeting meeting, Attendee attendee) =>
        audit.Record(AuditActor.User(host), AuditAction.ParticipantRemove, AuditObject.Of(attendee), AuditOutcome.OkWith(AuditObject.Of(meeting).Text));
}
