using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;

namespace Conclave.Web.E2ee;

/// <summary>A credential's <c>kind</c> (docs/signalling.md, "Credential"): what others may show beside the name.</summary>
public enum AttendeeKind : byte
{
    Host = 1,
    Member = 2,
    Guest = 3,
}

public static class AttendeeKinds
{
    /// <summary>The host is the account that runs <paramref name="meeting"/>; an admin on its roster is a member like anyone else.</summary>
    public static AttendeeKind Of(Attendee attendee, Meeting meeting) => attendee switch
    {
        GuestAttendee => AttendeeKind.Guest,
        MemberAttendee member when member.Account.Id == meeting.HostAccountId => AttendeeKind.Host,
        MemberAttendee => AttendeeKind.Member,
        _ => throw new ArgumentOutOfRangeException(nameof(attendee)),
    };
}
