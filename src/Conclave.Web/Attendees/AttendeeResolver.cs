using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;
using Conclave.Web.Console;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Attendees;

/// <summary>Who a meeting request (/m, /ws) comes from: a logged-in account (session cookie) first, else a guest pass.</summary>
public sealed class AttendeeResolver(AccountService accounts, MeetingService meetings)
{
    public Attendee? Resolve(HttpContext http)
    {
        if (accounts.Authenticate(http.Request.Cookies[ConsoleCookies.Session]) is { } who && !who.Account.MustEnrolSecondFactor)
        {
            return new MemberAttendee(who.Account);
        }
        return meetings.FindGuest(http.Request.Cookies[ConsoleCookies.Guest]) is { } invitation ? new GuestAttendee(invitation) : null;
    }
}
