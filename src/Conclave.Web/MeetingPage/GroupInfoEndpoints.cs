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
/// "GroupInfo over HTTPS"), to participants in the room (<see cref="RoomParticipantRequest"/>).
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
            if (RoomParticipantRequest.Authenticate(http, meeting, directory, attendees) is not { Delivery: var delivery }) return Results.Unauthorized();
            if (delivery.CurrentGroupInfo() is not { } groupInfo) return Results.NotFound();
            http.Response.Headers[EpochHeader] = groupInfo.Epoch.ToString(CultureInfo.InvariantCulture);
            return Results.Bytes(groupInfo.Bytes, "application/octet-stream");
        });
        app.MapPut("/m/{meeting}/mls/group-info", async (HttpContext http, string meeting, RoomDirectory directory, AttendeeResolver attendees) =>
        {
            if (RoomParticipantRequest.Authenticate(http, meeting, directory, attendees) is not { Delivery: var delivery, Participant: var participant }) return Results.Unauthorized();
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
