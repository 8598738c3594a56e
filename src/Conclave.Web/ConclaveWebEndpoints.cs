using Conclave.Meetings.Recordings;
using Conclave.Meetings.SharedFiles;
using Conclave.Web.Attendees;
using Conclave.Media.Sfu;
using Conclave.Web.Console;
using Conclave.Web.E2ee;
using Conclave.Web.MeetingPage;
using Conclave.Web.Metrics;
using Conclave.Web.Ports;
using Conclave.Web.Recording;
using Conclave.Web.SharedFiles;
using Conclave.Web.Signalling;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.StaticFiles;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Logging;

namespace Conclave.Web;

/// <summary>Routes of the appliance's web side: the console, invitations, the meeting page, its assets and /ws.</summary>
public static class ConclaveWebEndpoints
{
    /// <summary>
    /// Everything is served from this box: no CDN, no inline script, no plugin, and the
    /// page may only talk back to its own origin (WSS included, CSP 3 'self'). No
    /// 'wasm-unsafe-eval' either: pdf.js runs on its JavaScript decoders (docs/content-sharing.md, "PDF").
    /// </summary>
    private const string ContentSecurityPolicy =
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self' blob:; " +
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>
    /// The web side's own services. The domain's (AccountService, MeetingService,
    /// AdmissionService, SettingsService, SharedFileService, IAuditTrail, IMeetingStore, TimeProvider), an
    /// <see cref="ITokenStatusSource"/>, an <see cref="IApplianceSystem"/>, an <see cref="ICredentialSigner"/>, the <see cref="SharedFileStore"/>
    /// and the MediaPlane come from the composition root.
    /// </summary>
    public static IServiceCollection AddConclaveWeb(this IServiceCollection services, ConsoleOptions options, SignallingLimitOptions limits)
    {
        services.AddSingleton(options);
        services.AddSingleton(new SignallingQuotas(limits, TimeProvider.System));
        services.AddSingleton<IRoomMediaControl>(s => new MediaPlaneRoomControl(s.GetRequiredService<MediaPlane>()));
        services.AddSingleton(s => new RoomDirectory(s.GetRequiredService<IRoomMediaControl>(), s.GetRequiredService<TimeProvider>(),
            s.GetRequiredService<MeetingRecordings>(), new SharedFileRetention(s.GetRequiredService<SharedFileService>())));
        services.AddSingleton(s => new MeetingRecordings(s.GetRequiredService<RecordingService>(), s.GetRequiredService<IMeetingRecorder>(),
            s.GetRequiredService<RecordingOptions>(), () => s.GetRequiredService<RoomDirectory>(), s.GetRequiredService<IRoomMediaControl>(),
            s.GetRequiredService<TimeProvider>(), s.GetRequiredService<ILogger<MeetingRecordings>>()));
        services.AddSingleton<CredentialIssuer>();
        services.AddSingleton<AttendeeResolver>();
        services.AddSingleton<BitrateSampler>();
        services.AddHostedService(s => s.GetRequiredService<BitrateSampler>());
        services.Configure<FormOptions>(form =>
        {
            form.ValueLengthLimit = (int)ConsoleForms.MaxFormBytes;
            form.ValueCountLimit = 256;
            form.MultipartBodyLengthLimit = ConsoleForms.MaxFormBytes;
        });
        return services;
    }

    public static WebApplication MapConclave(this WebApplication app)
    {
        // First: the metrics listener answers its own requests and nothing else reaches the routes from it.
        app.Services.GetService<MetricsListener>()?.Use(app, app.Services.GetRequiredService<MediaPlane>());
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
        var contentTypes = new FileExtensionContentTypeProvider();
        // pdf.js's packed CMaps (docs/content-sharing.md, "PDF"); unknown extensions are not served.
        contentTypes.Mappings[".bcmap"] = "application/octet-stream";
        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = webRoot,
            ContentTypeProvider = contentTypes,
            OnPrepareResponse = asset => asset.Context.Response.Headers.CacheControl = "no-cache",
        });
        app.UseWebSockets(new WebSocketOptions { KeepAliveInterval = TimeSpan.FromSeconds(20) });

        app.MapGet("/", () => Results.Redirect("/console"));
        LoginPages.Map(app);
        InvitationPages.Map(app);
        var console = app.MapGroup("/console");
        DashboardPage.Map(console);
        MeetingPages.Map(console);
        UserPages.Map(console);
        AdminPages.Map(console);
        SystemPage.Map(console);
        RecordingPages.Map(console);
        MeetingPageEndpoints.Map(app, webRoot);
        GroupInfoEndpoints.Map(app);
        SharedFileEndpoints.Map(app);
        SignallingEndpoint.Map(app);
        return app;
    }
}
