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

    /// <summary>The largest shared file this appliance takes: small, so a test can exceed it.</summary>
    internal const long MaxSharedFileBytes = 4 * 1024 * 1024;

    /// <summary>Copies of what the SFU forwards, in the rooms a test records.</summary>
    internal ForwardRecorder Forwarded { get; } = new();

    /// <summary>What conclaved has logged so far.</summary>
    internal string DaemonLog => _console.Text;

    /// <summary>The compliance token's PIN file (outside the state directory, as a compliance officer keeps it).</summary>
    internal string CompliancePinFile { get; } = Path.Combine(Directory.CreateTempSubdirectory("conclave-compliance-").FullName, "compliance-pin");

    public async Task InitializeAsync()
    {
        _console = CapturedConsole.Start();
        // As a security team would before the appliance first records: a compliance token beside
        // the appliance's, its keys, and their public halves registered on the appliance token.
        _conclaved = await InProcessConclaved.StartAsync(Forwarded, state =>
        {
            RunConclavectl(state, null, "compliance", "init", "--pin-file", CompliancePinFile);
            string pin = File.ReadAllText(CompliancePinFile);
            RunConclavectl(state, pin, "compliance", "provision");
            RunConclavectl(state, pin, "compliance", "register");
        }, [$"--Conclave:SharedFiles:MaxFileBytes={MaxSharedFileBytes}"]);
        Playwright = await Microsoft.Playwright.Playwright.CreateAsync();
        Browser = await ChromiumBrowser.LaunchAsync(Playwright);
    }

    /// <summary>A new roster member of <paramref name="room"/>'s meeting, logged in, joins it in a browser of their own.</summary>
    internal Task<MeetingParticipant> JoinAsync(string room, string name)
    {
        var (meetingId, cookie) = Meetings.Member(room, name);
        return MeetingParticipant.JoinAsync(Browser, Daemon.HttpsUri, meetingId, name, TestMeetings.SessionCookie, cookie);
    }

    /// <summary>
    /// Fails when any of <paramref name="markers"/> (as UTF-8 or UTF-16) is anywhere on the appliance:
    /// a file of the state directory (database, audit log, sealed stores) or what conclaved logged.
    /// </summary>
    internal async Task AssertApplianceHoldsNoneAsync(string what, params string[] markers)
    {
        // The state lock is held exclusively by the running daemon, and empty.
        foreach (string file in Directory.EnumerateFiles(StateDirectory, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(f) != Conclave.Storage.StateLock.FileName))
        {
            byte[] bytes = await ReadSharedAsync(file);
            foreach (string marker in markers)
            {
                Assert.False(bytes.AsSpan().IndexOf(System.Text.Encoding.UTF8.GetBytes(marker)) >= 0, $"{file} holds {what}");
                Assert.False(bytes.AsSpan().IndexOf(System.Text.Encoding.Unicode.GetBytes(marker)) >= 0, $"{file} holds {what} (UTF-16)");
            }
        }
        foreach (string marker in markers) Assert.DoesNotContain(marker, DaemonLog);
    }

    private static async Task<byte[]> ReadSharedAsync(string path)
    {
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        await stream.CopyToAsync(copy);
        return copy.ToArray();
    }

    /// <summary>conclavectl on the daemon's state directory (development token); throws with its output when it fails.</summary>
    internal string RunConclavectl(string? input, params string[] arguments) => RunConclavectl(StateDirectory, input, arguments);

    private static string RunConclavectl(string stateDirectory, string? input, params string[] arguments)
    {
        var (exitCode, output) = Conclavectl.RunWithInput(stateDirectory, input, ["--dev", .. arguments]);
        return exitCode == 0 ? output : throw new InvalidOperationException($"conclavectl {string.Join(' ', arguments)} exited {exitCode}: {output}");
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        Playwright?.Dispose();
        if (_conclaved is not null) await _conclaved.DisposeAsync();
    }
}
