using Conclave.Media.Sfu;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Web.Console;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conclave.Web;

/// <summary>Routes of the appliance's web side: the console, invitations, the meeting page, its assets and /ws.</summary>
public static class ConclaveWebEndpoints
{
    /// <summary>
    /// Everything is served from this box: no CDN, no inline script, no plugin, and the
    /// page may only talk back to its own origin (WSS included, CSP 3 'self').
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The web side's own services. The domain's (AccountService, MeetingService,
    /// AdmissionService, SettingsService, IAuditTrail) and an <see cref="ITokenStatusSource"/>
    /// come from the composition root.
    /// </summary>
    public static IServiceCollection AddConclaveWeb(this IServiceCollection services, ConsoleOptions options, SignallingLimitOptions limits)
    {
        services.AddSingleton(options);
        services.AddSingleton(new SignallingQuotas(limits, TimeProvider.System));
        services.AddSingleton<RoomDirectory>();
        services.AddSingleton<ConsoleGate>();
        services.AddSingleton<AttendeeResolver>();
        services.AddSingleton<BitrateSampler>();
        services.AddHostedService(s => s.GetRequiredService<BitrateSampler>());
        services.Configure<FormOptions>(form =>
        {
            form.ValueLengthLimit = (int)ConsoleGate.MaxFormBytes;
            form.ValueCountLimit = 256;
            form.MultipartBodyLengthLimit = ConsoleGate.MaxFormBytes;
        });
        return services;
    }

    public static WebApplication MapConclave(this WebApplication app)
    {
        app.Use(async (context, next) =>
        {
            var headers = context.Response.Headers;
            headers.ContentSecurityPolicy = ContentSecurityPolicy;
            headers.XContentTypeOptions = "nosniff";
            headers["Referrer-Policy"] = "no-referrer";
            headers["Cross-Origin-Opener-Policy"] = "same-origin";
            headers.StrictTransportSecurity = "max-age=31536000";
            // Console pages show setup links, TOTP secrets, who is in a meeting: no browser
            // or proxy keeps a copy. Static assets override this below (revalidated instead).
            headers.CacheControl = "no-store";
            await next();
        });
        var webRoot = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = webRoot,
            OnPrepareResponse = asset => asset.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });

        var gate = app.Services.GetRequiredService<ConsoleGate>();
        app.MapGet("/", () => Results.Redirect("/console"));
        LoginPages.Map(app, gate);
        DashboardPage.Map(app, gate);
        UserPages.Map(app, gate);
        MeetingPages.Map(app, gate);
        AdminPages.Map(app, gate, app.Services.GetRequiredService<ConsoleOptions>());
        InvitationPages.Map(app);

        // The meeting page itself is static; who may use it is settled by /ws at join.
        app.MapGet("/m/{meeting}", (HttpContext http, string meeting, AttendeeResolver attendees) =>
            !ClientMessageParser.IsValidRoom(meeting) ? Results.NotFound()
            : attendees.Resolve(http) is null ? Results.Redirect($"/login?return={Uri.EscapeDataString($"/m/{meeting}")}")
            : Results.File(webRoot.GetFileInfo("meeting.html").PhysicalPath!, "text/html; charset=utf-8"));
        app.MapGet("/m/{meeting}/me", (HttpContext http, string meeting, AttendeeResolver attendees, AdmissionService admission) =>
        {
            if (attendees.Resolve(http) is not { } attendee) return Results.Unauthorized();
            var view = admission.ViewFor(attendee, meeting);
            return Results.Json(new { displayName = attendee.DisplayName, guest = attendee is GuestAttendee, title = view?.Title, runsIt = view?.RunsIt ?? false });
        });
        app.Map("/ws", HandleWebSocketAsync);
        return app;
    }

    private static bool IsSameOrigin(string origin, HttpRequest request) =>
        Uri.TryCreate(origin, UriKind.Absolute, out var uri) &&
        string.Equals(uri.Authority, request.Host.Value, StringComparison.OrdinalIgnoreCase) &&
        uri.Scheme == request.Scheme;

    private static async Task HandleWebSocketAsync(HttpContext context)
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
        var services = context.RequestServices;
        // Who is asking is settled before the upgrade, from the session or guest cookie
        // (browsers send same-site cookies with the WebSocket handshake).
        var attendee = services.GetRequiredService<AttendeeResolver>().Resolve(context);
        if (attendee is null)
        {
            services.GetRequiredService<IAuditTrail>().SignallingRefused(ConsoleGate.SourceOf(context));
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("Log in, or open your invitation link, before joining a meeting.");
            return;
        }
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new SignallingConnection(socket, attendee, context.Connection.RemoteIpAddress, services.GetRequiredService<MediaPlane>(),
            services.GetRequiredService<RoomDirectory>(), services.GetRequiredService<AdmissionService>(),
            services.GetRequiredService<SignallingQuotas>(), services.GetRequiredService<ILoggerFactory>().CreateLogger("Conclave.Signalling"));
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        await connection.RunAsync(lifetime.ApplicationStopping);
    }
}
