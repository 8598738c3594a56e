using Conclave.Media.Sfu;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Web.Attendees;
using Conclave.Web.E2ee;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conclave.Web.Signalling;

/// <summary>
/// /ws: the signalling WebSocket (docs/signalling.md). Who is asking, and from which page,
/// is settled before the upgrade; then one <see cref="SignallingConnection"/> per socket.
/// </summary>
internal static class SignallingEndpoint
{
    public static void Map(IEndpointRouteBuilder app) => app.Map("/ws", AcceptAsync);

    private static async Task AcceptAsync(HttpContext context, AttendeeResolver attendees, IAuditTrail audit, MediaPlane plane,
        RoomDirectory directory, AdmissionService admission, CredentialIssuer credentials, Recording.MeetingRecordings recordings, SignallingQuotas quotas, ILoggerFactory loggers, IHostApplicationLifetime lifetime)
    {
        if (!context.WebSockets.IsWebSocketRequest)
        {
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            await context.Response.WriteAsync("This endpoint speaks WebSocket only.");
            return;
        }
        // Browsers send Origin with every WebSocket handshake; a page from another
        // origin must not drive a meeting with this user's camera (cross-site WebSocket hijacking).
        // A handshake without Origin comes from no browser, so carries no victim's cookie by
        // accident; two Origin headers are refused rather than letting either one decide.
        if (context.Request.Headers.Origin is { Count: > 0 } origins && (origins is not [{ } origin] || !IsSameOrigin(origin, context.Request)))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("WebSocket connections are accepted from this appliance's own pages only.");
            return;
        }
        // Who is asking is settled before the upgrade, from the session or guest cookie
        // (browsers send same-site cookies with the WebSocket handshake).
        var attendee = attendees.Resolve(context);
        if (attendee is null)
        {
            audit.SignallingRefused(RequestSource.Of(context));
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("Log in, or open your invitation link, before joining a meeting.");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new SignallingConnection(socket, attendee, context.Connection.RemoteIpAddress, plane, directory, admission, credentials, recordings, quotas,
            loggers.CreateLogger("Conclave.Signalling"));
        await connection.RunAsync(lifetime.ApplicationStopping);
    }

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
        string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase) &&
        uri.Scheme == request.Scheme;
}
