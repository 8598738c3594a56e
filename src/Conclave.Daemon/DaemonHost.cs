using System.Net;
using System.Net.Sockets;
using Conclave.Daemon.Recording;
using Conclave.Daemon.SharedFiles;
using Conclave.Daemon.SystemBus;
using Conclave.Keys;
using Conclave.Media.Dtls;
using Conclave.Media.Sfu;
using Conclave.Media.Transport;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Recordings;
using Conclave.Recording.Recorder;
using Conclave.Meetings.Scheduling;
using Conclave.Meetings.Settings;
using Conclave.Meetings.SharedFiles;
using Conclave.Storage;
using Conclave.Web;
using Conclave.Web.Console;
using Conclave.Web.Recording;
using Conclave.Web.Ports;
using Conclave.Web.SharedFiles;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Serilog;
using Serilog.Events;

namespace Conclave.Daemon;

/// <summary>Builds and starts conclaved: configuration, logging, media plane, HTTPS.</summary>
public static class DaemonHost
{
    public const string SystemConfigurationFile = "/etc/conclave/conclave.json";

    /// <param name="forwardTap">Sees every packet the SFU forwards (tests; later the recorder).</param>
    public static async Task<RunningDaemon> StartAsync(string[] args, IForwardTap? forwardTap = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = AppContext.BaseDirectory,
        });
        // Later sources override earlier ones: file, environment, command line.
        builder.Configuration.Sources.Clear();
        builder.Configuration
            .AddJsonFile(SystemConfigurationFile, optional: true, reloadOnChange: false)
            .AddEnvironmentVariables()
            .AddCommandLine(args);

        var options = new DaemonOptions();
        try
        {
            builder.Configuration.GetSection(DaemonOptions.Section).Bind(options);
        }
        catch (InvalidOperationException e)
        {
            throw new StartupException($"configuration: {e.Message}", 2);
        }
        if (!ValidatedOptions.TryCreate(options, out var validated, out var error))
        {
            throw new StartupException(error!, 2);
        }
        StateDirectory.RestrictNewFilesToOwner();
        if (!StateDirectory.TryPrepare(validated!.StateDirectory, out var refusal))
        {
            throw new StartupException(refusal!, 2);
        }
        var stateLock = StateLock.TryAcquire(validated.StateDirectory)
            ?? throw new StartupException($"state directory {validated.StateDirectory} is in use by another conclaved or a conclavectl command that changes it", 2);

        try
        {
            return await StartLockedAsync(builder, validated, stateLock, forwardTap);
        }
        catch
        {
            stateLock.Dispose();
            throw;
        }
    }

    /// <summary>The rest of the start, holding the state directory's lock (handed to the running daemon).</summary>
    /// <summary>
    /// One socket per media loop on the media port; with more than one loop the port is shared
    /// (SO_REUSEPORT) and each loop steers its peers' addresses to its own socket.
    /// </summary>
    private static IReadOnlyList<IDatagramSocket> BindMediaPort(IPEndPoint endPoint, int loops)
    {
        if (loops == 1) return [UdpDatagramSocket.Bind(endPoint)];
        var sockets = new List<IDatagramSocket>(loops);
        try
        {
            // The first fixes the port when the configuration says 0; the others join it.
            sockets.Add(UdpDatagramSocket.Bind(endPoint, sharedPort: true));
            while (sockets.Count < loops) sockets.Add(UdpDatagramSocket.Bind(sockets[0].LocalEndPoint, sharedPort: true));
            return sockets;
        }
        catch
        {
            foreach (var socket in sockets) socket.Dispose();
            throw;
        }
    }

    private static async Task<RunningDaemon> StartLockedAsync(WebApplicationBuilder builder, ValidatedOptions validated, StateLock stateLock, IForwardTap? forwardTap)
    {
        SystemdNotification.AddWhenRequested(builder.Services);
        builder.Services.AddSerilog(ConfigureLogging);

        // The token first: the recorder seals with its storage KEK, and the media plane taps into the recorder.
        var custody = TokenCustody.Open(validated);
        var storageKek = new TokenSecretProtector(custody.Token);
        var recorderOptions = new RecorderOptions { RecordingsDirectory = Path.Combine(validated.StateDirectory, "sealed", "recordings") };
        var recorder = new TapMeetingRecorder(recorderOptions, storageKek, TimeProvider.System);
        MediaPlane mediaPlane;
        try
        {
            mediaPlane = new MediaPlane(new MediaPlaneOptions
            {
                Sockets = BindMediaPort(validated.Media, validated.MediaLoops),
                Certificate = DtlsCertificate.CreateSelfSigned(),
                AdvertisedAddress = validated.MediaAdvertisedAddress,
                ForwardTap = forwardTap is null ? recorder.Tap : new CompositeForwardTap(recorder.Tap, forwardTap),
            });
        }
        catch (SocketException e)
        {
            recorder.Dispose();
            custody.Dispose();
            throw new StartupException($"cannot listen for media on UDP {validated.Media}: {Describe(e)}", 3);
        }

        ApplianceDatabase database;
        try
        {
            database = ApplianceDatabase.Open(Path.Combine(validated.StateDirectory, ApplianceDatabase.FileName));
        }
        catch (Exception e) when (e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            mediaPlane.Dispose();
            recorder.Dispose();
            custody.Dispose();
            throw new StartupException($"database: {e.Message}", 2);
        }

        var audit = new RefusalAggregator(new AuditTrail(custody.Audit), TimeProvider.System, validated.Refusals);
        builder.Services.AddSingleton(mediaPlane);
        builder.Services.AddSingleton(custody.Token);
        builder.Services.AddHostedService<TokenWatch>();
        AddMeetings(builder.Services, database, custody, audit);
        AddRecording(builder.Services, validated, custody, storageKek, recorder, recorderOptions);
        AddSharedFiles(builder.Services, validated, database, storageKek);
        if (validated.Metrics is { } metricsEndPoint) builder.Services.AddSingleton(new Conclave.Web.Metrics.MetricsListener(metricsEndPoint));
        AddApplianceSystem(builder.Services, validated);
        builder.Services.AddConclaveWeb(new ConsoleOptions(Path.Combine(validated.StateDirectory, "audit.log")), validated.Limits);
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.Listen(validated.Https, listen => listen.UseHttps(custody.Certificate));
            if (validated.Metrics is { } metrics) kestrel.Listen(metrics);
            kestrel.AddServerHeader = false;
        });

        var app = builder.Build();
        app.MapConclave();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Conclave.Daemon");
        mediaPlane.Faulted += e => logger.LogError(e, "Media loop recovered from a fault");
        custody.Audit.StatusChanged += status => LogAuditStatus(logger, status);
        mediaPlane.Start();
        try
        {
            await app.StartAsync();
        }
        catch (IOException e)
        {
            mediaPlane.Dispose();
            await app.DisposeAsync();
            recorder.Dispose();
            audit.Dispose();
            custody.Dispose();
            throw new StartupException($"cannot listen for HTTPS on {validated.Https}: {Describe(e)}", 3);
        }

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First(a => a.StartsWith("https://", StringComparison.Ordinal));
        var httpsUri = new Uri(address.Replace("0.0.0.0", "127.0.0.1", StringComparison.Ordinal));
        new AuditTrail(custody.Audit).DaemonStarted(validated.Https, mediaPlane.LocalEndPoint);
        logger.LogInformation("Conclave is up: console at {ConsoleUrl}, media on UDP {MediaEndPoint}, state in {StateDirectory}",
            new Uri(httpsUri, "/console"), mediaPlane.LocalEndPoint, validated.StateDirectory);
        if (validated.Metrics is { } metricsAt) logger.LogInformation("Media counters at http://{MetricsEndPoint}{MetricsPath} (this box only)", metricsAt, Conclave.Web.Metrics.MetricsListener.Path);
        logger.LogInformation("Keys on token '{TokenLabel}'; HTTPS signs with its TLS key; audit log {AuditLog}",
            validated.Token.Label, Path.Combine(validated.StateDirectory, "audit.log"));
        var accounts = app.Services.GetRequiredService<AccountService>();
        Uri? setupLink = null;
        if (!accounts.AdminExists)
        {
            // No default password: the first admin is created through this one-time link.
            setupLink = new Uri(httpsUri, $"/setup?token={accounts.Setup.Issue()}");
            logger.LogWarning("No admin account yet. Create the first one within this run at {SetupLink}", setupLink);
        }
        return new RunningDaemon(app, mediaPlane, custody, audit, httpsUri, setupLink, stateLock, recorder);
    }

    /// <summary>The domain and its ports: SQLite stores, the token-signed audit log, token-sealed secrets.</summary>
    private static void AddMeetings(IServiceCollection services, ApplianceDatabase database, TokenCustody custody, RefusalAggregator audit)
    {
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(database.Accounts);
        services.AddSingleton(database.Sessions);
        services.AddSingleton(database.Settings);
        services.AddSingleton(database.Meetings);
        services.AddSingleton(database.Recordings);
        services.AddSingleton<IAuditTrail>(audit);
        services.AddSingleton(custody.Audit);
        services.AddSingleton<ISecretProtector>(new TokenSecretProtector(custody.Token));
        services.AddSingleton<ITokenStatusSource>(new TokenStatusReader(custody.Token));
        services.AddSingleton<ICredentialSigner>(new TokenCredentialSigner(custody.Token));
        services.AddSingleton(new PasswordHasher(Argon2Parameters.Default));
        services.AddSingleton(s => new AccountService(s.GetRequiredService<IAccountStore>(), s.GetRequiredService<ISessionStore>(),
            s.GetRequiredService<ISettingsStore>(), s.GetRequiredService<IAuditTrail>(), s.GetRequiredService<ISecretProtector>(),
            s.GetRequiredService<PasswordHasher>(), s.GetRequiredService<TimeProvider>()));
        services.AddSingleton<MeetingService>();
        services.AddSingleton<AdmissionService>();
        services.AddSingleton<SettingsService>();
    }

    /// <summary>
    /// Compliance recording: the domain's rules over the recordings' index, the recorder the SFU
    /// taps into, and the escrow keys registered on the appliance token (docs/recording.md).
    /// </summary>
    private static void AddRecording(IServiceCollection services, ValidatedOptions validated, TokenCustody custody, TokenSecretProtector storageKek,
        TapMeetingRecorder recorder, RecorderOptions options)
    {
        services.AddSingleton(options);
        services.AddSingleton<Conclave.Crypto.Envelopes.IDataKeyWrapper>(storageKek);
        services.AddSingleton(new RecordingOptions(RegisteredEscrowKeys.Read(custody.Token)));
        services.AddSingleton<IMeetingRecorder>(recorder);
        services.AddSingleton<IRecordingBundler>(new TokenRecordingBundler(options, storageKek, new TokenCredentialSigner(custody.Token)));
        services.AddSingleton(s => new RecordingService(s.GetRequiredService<IRecordingIndex>(), s.GetRequiredService<IMeetingStore>(),
            s.GetRequiredService<IAuditTrail>(), s.GetRequiredService<TimeProvider>(), validated.RecordingRetention));
        services.AddHostedService<RecordingLifetime>();
    }

    /// <summary>
    /// Files shared in meetings: the rules over their index, their sealed bytes under the storage KEK,
    /// and their shredding after the room empties (docs/content-sharing.md).
    /// </summary>
    private static void AddSharedFiles(IServiceCollection services, ValidatedOptions validated, ApplianceDatabase database, TokenSecretProtector storageKek)
    {
        services.AddSingleton(database.SharedFiles);
        services.AddSingleton(s => new SharedFileService(database.SharedFiles, s.GetRequiredService<IMeetingStore>(), s.GetRequiredService<ISettingsStore>(),
            s.GetRequiredService<IAuditTrail>(), s.GetRequiredService<TimeProvider>(), validated.SharedFiles));
        services.AddSingleton(new SharedFileStore(Path.Combine(validated.StateDirectory, "sealed", "meetings"), storageKek));
        services.AddHostedService<SharedFileLifetime>();
    }

    /// <summary>
    /// The console's System page over the D-Bus system bus (docs/system-page.md); the connection is
    /// made on first use, so a machine without a system bus starts all the same.
    /// </summary>
    private static void AddApplianceSystem(IServiceCollection services, ValidatedOptions validated)
    {
        services.AddSingleton(_ => new SystemBusConnection(validated.SystemBus, SystemBusConnection.DefaultCallTimeout));
        services.AddSingleton<IApplianceSystem>(s => new DBusApplianceSystem(s.GetRequiredService<SystemBusConnection>(), ChronySources.Appliance));
    }

    /// <summary>Once when the audit log stops writing, once when it writes again: a full disk is one journal line, not one per record.</summary>
    private static void LogAuditStatus(Microsoft.Extensions.Logging.ILogger logger, Conclave.Crypto.Audit.AuditLogStatus status)
    {
        if (status.Writing)
        {
            logger.LogWarning("The audit log writes again; {Waiting} records that waited are being written, {Lost} were lost", status.WaitingRecords, status.LostRecords);
        }
        else
        {
            logger.LogError("The audit log is not writing: {Problem}. Logins and admissions go on; records wait in memory and are written when the disk takes them",
                status.Problem);
        }
    }

    private static void ConfigureLogging(IServiceProvider services, LoggerConfiguration logging)
    {
        // Under systemd (JOURNAL_STREAM is set) journald stamps the time and reads the
        // "<N>" syslog priority prefix (sd-daemon(3)); a terminal gets the time instead.
        bool journald = Environment.GetEnvironmentVariable("JOURNAL_STREAM") is not null;
        logging
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.With<SyslogPriorityEnricher>()
            .Enrich.With<PrintableLogValues>()
            .WriteTo.Console(outputTemplate: journald
                ? "{SyslogPriority}{SourceContext}: {Message:lj}{NewLine}{Exception}"
                : "{Timestamp:HH:mm:ss.fff} {Level:u3} {SourceContext}: {Message:lj}{NewLine}{Exception}");
    }

    private static string Describe(Exception e) => e switch
    {
        SocketException { SocketErrorCode: SocketError.AddressAlreadyInUse } => "address already in use",
        SocketException { SocketErrorCode: SocketError.AddressNotAvailable } => "no such local address",
        SocketException { SocketErrorCode: SocketError.AccessDenied } => "permission denied",
        SocketException s => s.Message,
        { InnerException: { } inner } => Describe(inner),
        _ => e.Message,
    };
}
