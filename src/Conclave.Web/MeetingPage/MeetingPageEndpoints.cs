using Conclave.Meetings.Admission;
using Conclave.Web.Attendees;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.FileProviders;

namespace Conclave.Web.MeetingPage;

/// <summary>
/// /m/{meeting}: the meeting page itself, which is static; who may use it is settled by /ws at
/// join. /m/{meeting}/me tells the page who it is showing, whether they run the meeting, and
/// whether it may be recorded (the notice the page shows before Join).
/// </summary>
internal static class MeetingPageEndpoints
{
    public static void Map(IEndpointRouteBuilder app, IFileProvider webRoot)
    {
        string? page = webRoot.GetFileInfo("meeting.html").PhysicalPath;
        app.MapGet("/m/{meeting}", (HttpContext http, string meeting, AttendeeResolver attendees) =>
            !ClientMessageParser.IsValidRoom(meeting) ? Results.NotFound()
            : attendees.Resolve(http) is null ? Results.Redirect($"/login?return={Uri.EscapeDataString($"/m/{meeting}")}")
            : Results.File(page!, "text/html; charset=utf-8"));
        app.MapGet("/m/{meeting}/me", (HttpContext http, string meeting, AttendeeResolver attendees, AdmissionService admission) =>
        {
            if (attendees.Resolve(http) is not { } attendee) return Results.Unauthorized();
            var view = admission.ViewFor(attendee, meeting);
            return Results.Json(new { displayName = attendee.DisplayName, guest = attendee is GuestAttendee, title = view?.Title, runsIt = view?.RunsIt ?? false, recordable = view?.Recordable ?? false });
        });
    }
}
