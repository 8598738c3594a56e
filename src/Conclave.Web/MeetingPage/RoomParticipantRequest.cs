using Conclave.Meetings.Admission;
using Conclave.Web.Attendees;
using Conclave.Web.E2ee;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.MeetingPage;

/// <summary>A request from a participant in a meeting's room now: their room's Delivery Service, who they are in it, and as whom they are logged in.</summary>
internal sealed record RoomParticipantRequest(DeliveryService Delivery, DeliveryParticipant Participant, Attendee Attendee)
{
    /// <summary>
    /// How every request under /m/{meeting}/ beyond the page itself names its participant twice
    /// (docs/signalling.md, "GroupInfo over HTTPS"): the bearer token <c>joined</c> gave it, and the
    /// session or guest cookie of the same attendee. Null unless both agree and the participant is
    /// in the room now, so a participant who left (or was removed) is refused at once.
    /// </summary>
    public static RoomParticipantRequest? Authenticate(HttpContext http, string meeting, RoomDirectory directory, AttendeeResolver attendees)
    {
        if (http.Request.Headers.Authorization is not [{ } authorization] || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return null;
        if (!ClientMessageParser.IsValidRoom(meeting) || directory.Delivery(meeting) is not { } delivery) return null;
        if (delivery.Authenticate(GroupTokens.Sha256(authorization["Bearer ".Length..])) is not { } participant) return null;
        return attendees.Resolve(http) is { } attendee && attendee.Key == participant.AttendeeKey ? new(delivery, participant, attendee) : null;
    }
}
