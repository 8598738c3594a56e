using Conclave.Media.Sfu;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conclave.Web;

/// <summary>Routes of the appliance's web side: the meeting page, its assets and /ws.</summary>
public static class ConclaveWebEndpoints
{
    /// <summary>
    /// Everything is served from this box: no CDN, no inline script, no plugin, and the
    /// page may only talk back to its own origin (WSS included, CSP 3 'self').
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddConclaveWeb(this IServiceCollection services) =>
        services.AddSingleton<RoomDirectory>();

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
            await next();
        });
        var webRoot = new PhysicalFileProvider(Path.Combine(AppContext.BaseDirectory, "wwwroot"));
        app.UseStaticFiles(new StaticFileOptions { FileProvider = webRoot });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });

        app.MapGet("/", () => Results.Redirect("/m/lobby"));
        app.MapGet("/m/{room}", (string room) => ClientMessageParser.IsValidRoom(room)
            ? Results.File(webRoot.GetFileInfo("meeting.html").PhysicalPath!, "text/html; charset=utf-8")
            : Results.BadRequest("A room name has 1–64 letters, digits, '-' or '_'."));
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
        if (context.Request.Headers.Origin is [{ } origin] && !IsSameOrigin(origin, context.Request))
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            await context.Response.WriteAsync("WebSocket connections are accepted from this appliance's own pages only.");
            return;
        }
        var services = context.RequestServices;
        using var socket = await context.WebSockets.AcceptWebSocketAsync();
        var connection = new SignallingConnection(socket, services.GetRequiredService<MediaPlane>(),
            services.GetRequiredService<RoomDirectory>(),
            services.GetRequiredService<ILoggerFactory>().CreateLogger("Conclave.Signalling"));
        var lifetime = services.GetRequiredService<IHostApplicationLifetime>();
        await connection.RunAsync(lifetime.ApplicationStopping);
    }
}
