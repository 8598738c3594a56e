using Conclave.Meetings;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>
/// The host's controls on a meeting's page: POST /console/meetings/{id}/{control}, each
/// then back to the meeting's page (the route group requires host or admin).
/// </summary>
internal static class MeetingControls
{
    public static void Map(RouteGroupBuilder meetingPage)
    {
        meetingPage.MapPost("/roster", (ConsoleRequest request, string id, MeetingService meetings) =>
        {
            meetings.ReplaceRoster(request.Account, id, MeetingPages.SplitNames(request.Form["roster"]));
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/lock", (ConsoleRequest request, string id, MeetingService meetings) =>
        {
            meetings.SetLocked(request.Account, id, true);
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/unlock", (ConsoleRequest request, string id, MeetingService meetings) =>
        {
            meetings.SetLocked(request.Account, id, false);
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/end", (ConsoleRequest request, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory) =>
        {
            var ended = meetings.End(request.Account, id);
            admission.CloseLobby(ended.Id);
            directory.DisconnectAll(ended.Id, RefusalCode.Ended, "The host ended the meeting.");
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/admit", (ConsoleRequest request, string id, AdmissionService admission) =>
        {
            admission.Admit(request.Account, id, request.Form["entry"]);
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/deny", (ConsoleRequest request, string id, AdmissionService admission) =>
        {
            admission.Deny(request.Account, id, request.Form["entry"]);
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/revoke", (ConsoleRequest request, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory) =>
        {
            // A guest already let in leaves with their invitation: out of the lobby and the room.
            if (meetings.Revoke(request.Account, id, request.Form["invitation"]) is { } opened)
            {
                var guest = admission.Dismiss(opened);
                directory.Disconnect(id, guest.Key, RefusalCode.InvitationInvalid, "The host withdrew your invitation.");
            }
            return BackToMeeting(id);
        });
        meetingPage.MapPost("/remove", (ConsoleRequest request, string id, MeetingService meetings, AdmissionService admission, RoomDirectory directory) =>
        {
            // Only the meeting's host (or an admin) learns who is inside: the check comes
            // before the lookup, so another host's probe is the same 404 either way.
            meetings.Details(request.Account, id);
            var live = directory.Participants(id).FirstOrDefault(p => p.Attendee.Key == request.Form["attendee"])
                ?? throw DomainException.NotFound("That person is not in the meeting any more.");
            admission.Remove(request.Account, id, live.Attendee);
            directory.Disconnect(id, live.Attendee.Key, RefusalCode.Removed, "The host removed you from the meeting.");
            return BackToMeeting(id);
        });
    }

    private static IResult BackToMeeting(string id) => Results.Redirect($"/console/meetings/{Uri.EscapeDataString(id)}");
}
