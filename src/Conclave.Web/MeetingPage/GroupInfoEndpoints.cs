using System.Globalization;
using Conclave.Web.Attendees;
using Conclave.Web.E2ee;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.MeetingPage;

/// <summary>
/// /m/{meeting}/mls/group-info: the MLS GroupInfo a joiner commits against (RFC 9420
/// §12.4.3.2), kept by the room's <see cref="DeliveryService"/> (docs/signalling.md,
/// "GroupInfo over HTTPS"). Each request names its participant twice: the bearer token
/// <c>joined</c> gave it, and the session or guest cookie of the same attendee.
/// </summary>
internal static class GroupInfoEndpoints
{
    /// <summary>A GroupInfo with the ratchet tree of a meeting of 50 is far below this.</summary>
    public const int MaxGroupInfoBytes = 256 * 1024;

    public const string EpochHeader = "Conclave-Mls-Epoch";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/m/{meeting}/mls/group-info", (HttpContext http, string meeting, RoomDirectory directory, AttendeeResolver attendees) =>
        {
            if (Authenticate(http, meeting, directory, attendees) is not ({ } delivery, _)) return Results.Unauthorized();
            if (delivery.CurrentGroupInfo() is not { } groupInfo) return Results.NotFound();
            http.Response.Headers[EpochHeader] = groupInfo.Epoch.ToString(CultureInfo.InvariantCulture);
            return Results.Bytes(groupInfo.Bytes, "application/octet-stream");
        });
        app.MapPut("/m/{meeting}/mls/group-info", async (HttpContext http, string meeting, RoomDirectory directory, AttendeeResolver attendees) =>
        {
            if (Authenticate(http, meeting, directory, attendees) is not ({ } delivery, { } participant)) return Results.Unauthorized();
            if (!ulong.TryParse(http.Request.Query["epoch"], NumberStyles.None, CultureInfo.InvariantCulture, out ulong epoch))
            {
                return Results.BadRequest("?epoch= must name the epoch of this GroupInfo");
            }
            var body = await ReadBoundedAsync(http);
            if (body is null) return Results.StatusCode(StatusCodes.Status413PayloadTooLarge);
            if (body.Length == 0) return Results.BadRequest("the body is the GroupInfo");
            return delivery.PutGroupInfo(participant.ParticipantId, epoch, body) switch
            {
                GroupInfoUpload.Stored => Results.NoContent(),
                GroupInfoUpload.NotCurrent => Results.Conflict($"epoch {epoch} is not the current epoch, or its GroupInfo is already stored"),
                _ => Results.StatusCode(StatusCodes.Status403Forbidden),
            };
        });
    }

    /// <summary>The room's Delivery Service and the participant whose token this is, when the cookie names that participant's attendee.</summary>
    private static (DeliveryService, DeliveryParticipant)? Authenticate(HttpContext http, string meeting, RoomDirectory directory, AttendeeResolver attendees)
    {
        if (http.Request.Headers.Authorization is not [{ } authorization] || !authorization.StartsWith("Bearer ", StringComparison.Ordinal)) return null;
        if (!ClientMessageParser.IsValidRoom(meeting) || directory.Delivery(meeting) is not { } delivery) return null;
        if (delivery.Authenticate(GroupTokens.Sha256(authorization["Bearer ".Length..])) is not { } participant) return null;
        return attendees.Resolve(http)?.Key == participant.AttendeeKey ? (delivery, participant) : null;
    }

    /// <summary>The body, or null when it is longer than <see cref="MaxGroupInfoBytes"/> — whether it says so in Content-Length or comes chunked.</summary>
    private static async Task<byte[]?> ReadBoundedAsync(HttpContext http)
    {
        if (http.Request.ContentLength > MaxGroupInfoBytes) return null;
        // Reading stops one byte past the limit below. Kestrel's own limit is only the backstop
        // that keeps it from draining a huge chunked body afterwards: set to the limit itself, it
        // refused a chunked body of exactly 256 KiB.
        if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit) limit.MaxRequestBodySize = 2 * MaxGroupInfoBytes;
        var buffer = new byte[MaxGroupInfoBytes + 1];
        int length = 0;
        int read;
        while (length < buffer.Length && (read = await http.Request.Body.ReadAsync(buffer.AsMemory(length), http.RequestAborted)) > 0) length += read;
        return length > MaxGroupInfoBytes ? null : buffer[..length];
    }
}
