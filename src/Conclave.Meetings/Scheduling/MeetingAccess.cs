using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Scheduling;

/// <summary>Who may run a meeting: its host, and admins. Other hosts do not even learn that it exists.</summary>
internal static class MeetingAccess
{
    public static Meeting Manageable(IMeetingStore store, IAuditTrail audit, Account actor, string? meetingId, AuditAction action)
    {
        var meeting = meetingId is { Length: > 0 and <= 64 } ? store.Find(meetingId) : null;
        if (meeting is not null && (actor.Holds(Role.Admin) || meeting.HostAccountId == actor.Id)) return meeting;
        audit.MeetingAccessRefused(actor, action, meetingId, meetingExists: meeting is not null);
        throw DomainException.NotFound("No such meeting among yours.");
    }

    public static string Truncate(string? value) => value is null ? "" : value.Length <= 64 ? value : value[..64] + "…";
}
