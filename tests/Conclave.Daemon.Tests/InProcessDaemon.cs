using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests;

/// <summary>
/// One conclaved in this process on free loopback ports (<see cref="InProcessConclaved"/>)
/// and its first admin. One at a time: a process logs in to a token once, so the classes
/// that use it share it as a collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessDaemonCollection : ICollectionFixture<InProcessDaemon>
{
    public const string Name = "in-process daemon";
}

public sealed class InProcessDaemon : IAsyncLifetime
{
    private InProcessConclaved _conclaved = null!;

    public string StateDirectory => _conclaved.StateDirectory;

    public RunningDaemon Daemon => _conclaved.Daemon;

    internal TestMeetings Meetings => _conclaved.Meetings;

    /// <summary>Shared-file limits small enough to reach in a test (each test's meeting is its own).</summary>
    public const long MaxFileBytes = 1024 * 1024, MaxMeetingBytes = 3 * MaxFileBytes;
    public const int MaxFilesPerMeeting = 4;

    /// <summary>The loopback-only metrics listener (Conclave:Metrics).</summary>
    public Uri MetricsUri { get; } = new($"http://127.0.0.1:{FreeTcpPort()}{Conclave.Web.Metrics.MetricsListener.Path}");

    /// <summary>
    /// The system bus this daemon's System page asks: a socket nothing listens on unless a test starts a
    /// private dbus-daemon there (SystemPageTests), so no test reaches this machine's own system bus.
    /// </summary>
    public static readonly string SystemBusSocket = Path.Combine(Path.GetTempPath(), $"conclave-test-bus-{Environment.ProcessId}");

    public async Task InitializeAsync() => _conclaved = await InProcessConclaved.StartAsync(configuration:
    [
        $"--Conclave:Metrics=127.0.0.1:{MetricsUri.Port}",
        $"--Conclave:SystemBus=unix:path={SystemBusSocket}",
        $"--Conclave:SharedFiles:MaxFileBytes={MaxFileBytes}",
        $"--Conclave:SharedFiles:MaxMeetingBytes={MaxMeetingBytes}",
        $"--Conclave:SharedFiles:MaxFilesPerMeeting={MaxFilesPerMeeting}",
    ]);

    private static int FreeTcpPort()
    {
        using var probe = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        probe.Start();
        return ((System.Net.IPEndPoint)probe.LocalEndpoint).Port;
    }

    /// <summary>A new account with these roles that logs in with <paramref name="password"/> (no TOTP).</summary>
    internal Account NewAccount(Role roles, string password)
    {
        var services = Daemon.App.Services;
        string userName = $"u{Guid.NewGuid():N}"[..16];
        var hasher = services.GetRequiredService<PasswordHasher>();
        return services.GetRequiredService<IAccountStore>().Create(new Account(0, userName, $"Person {userName}", roles, false, hasher.Hash(password),
            null, null, 0, 0, null, null, DateTimeOffset.UtcNow));
    }

    private readonly SemaphoreSlim _firstAdmin = new(1, 1);
    private string? _adminSession;

    /// <summary>
    /// The session cookie of the appliance's first admin, created once through the setup
    /// link (as a person would) and shared: the link works once, and a TOTP code once.
    /// </summary>
    internal async Task<string> AdminSessionAsync()
    {
        await _firstAdmin.WaitAsync();
        try
        {
            if (_adminSession is null)
            {
                using var client = new ConsoleClient(Daemon.HttpsUri);
                await client.CreateFirstAdminAsync(Daemon.SetupLink!, "first-admin", "first admin password");
                _adminSession = client.Cookie(TestMeetings.SessionCookie)!;
            }
            return _adminSession;
        }
        finally
        {
            _firstAdmin.Release();
        }
    }

    /// <summary>A console client logged in as the first admin.</summary>
    internal async Task<ConsoleClient> AdminClientAsync()
    {
        var client = new ConsoleClient(Daemon.HttpsUri);
        client.SetCookie(TestMeetings.SessionCookie, await AdminSessionAsync());
        return client;
    }

    /// <summary>A signalling socket of a new roster member of <paramref name="room"/>; join with <c>room = meetingId</c>.</summary>
    internal async Task<(SignallingClient Client, string MeetingId)> ConnectMemberAsync(string room, string name = "Member", string? origin = null)
    {
        var (meetingId, cookie) = Meetings.Member(room, name);
        return (await SignallingClient.ConnectAsync(Daemon.HttpsUri, cookie, origin), meetingId);
    }

    public async Task DisposeAsync()
    {
        if (_conclaved is not null) await _conclaved.DisposeAsync();
    }
}
