using Conclave.Daemon;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>
/// One conclaved (in this process, on free loopback ports) and one Chromium for every
/// browser test: a process serves TLS from its token once (docs/notes.md), as the
/// appliance does.
/// </summary>
[CollectionDefinition(Name)]
public sealed class DaemonCollection : ICollectionFixture<DaemonFixture>
{
    public const string Name = "conclaved and Chromium";
}

public sealed class DaemonFixture : IAsyncLifetime
{
    private readonly string _stateDirectory = Conclave.Testing.DevelopmentTokenState.NewStateDirectory();

    public RunningDaemon Daemon { get; private set; } = null!;
    internal IPlaywright Playwright { get; private set; } = null!;
    internal IBrowser Browser { get; private set; } = null!;

    internal Conclave.Testing.TestMeetings Meetings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await DaemonHost.StartAsync(
        [
            "--Conclave:Https=127.0.0.1:0",
            "--Conclave:Media=127.0.0.1:0",
            $"--Conclave:StateDirectory={_stateDirectory}",
        ]);
        Meetings = new Conclave.Testing.TestMeetings(Daemon.App.Services);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await ChromiumBrowser.LaunchAsync(Playwright);
    }

    /// <summary>A new roster member of <paramref name="room"/>'s meeting, logged in, joins it in a browser of their own.</summary>
    internal Task<MeetingParticipant> JoinAsync(string room, string name)
    {
        var (meetingId, cookie) = Meetings.Member(room, name);
        return MeetingParticipant.JoinAsync(Browser, Daemon.HttpsUri, meetingId, name, Conclave.Testing.TestMeetings.SessionCookie, cookie);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (Daemon is not null) await Daemon.DisposeAsync();
        if (Directory.Exists(_stateDirectory)) Directory.Delete(_stateDirectory, recursive: true);
    }
}
