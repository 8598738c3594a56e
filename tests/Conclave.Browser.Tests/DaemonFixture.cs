using Conclave.Daemon;
using Conclave.Testing;
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
    private InProcessConclaved _conclaved = null!;
    private CapturedConsole _console = null!;

    public RunningDaemon Daemon => _conclaved.Daemon;
    internal IPlaywright Playwright { get; private set; } = null!;
    internal IBrowser Browser { get; private set; } = null!;

    internal TestMeetings Meetings => _conclaved.Meetings;

    internal string StateDirectory => _conclaved.StateDirectory;

    /// <summary>Copies of what the SFU forwards, in the rooms a test records.</summary>
    internal ForwardRecorder Forwarded { get; } = new();

    /// <summary>What conclaved has logged so far.</summary>
    internal string DaemonLog => _console.Text;

    public async Task InitializeAsync()
    {
        _console = CapturedConsole.Start();
        _conclaved = await InProcessConclaved.StartAsync(Forwarded);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await ChromiumBrowser.LaunchAsync(Playwright);
    }

    /// <summary>A new roster member of <paramref name="room"/>'s meeting, logged in, joins it in a browser of their own.</summary>
    internal Task<MeetingParticipant> JoinAsync(string room, string name)
    {
        var (meetingId, cookie) = Meetings.Member(room, name);
        return MeetingParticipant.JoinAsync(Browser, Daemon.HttpsUri, meetingId, name, TestMeetings.SessionCookie, cookie);
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (_conclaved is not null) await _conclaved.DisposeAsync();
    }
}
