using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>
/// conclaved whose audit log cannot be written (it is /dev/full, which refuses every write
/// with ENOSPC, as a full disk does): people still log in, the console says why the log is
/// not writing, and the daemon stops cleanly (docs/threat-model.md, "The audit log").
/// </summary>
public sealed partial class AuditDiskFullTests : IDisposable
{
    private readonly string _state = DevelopmentTokenState.NewStateDirectory();

    [Fact]
    public async Task With_its_audit_log_on_a_full_disk_the_daemon_lets_people_log_in_and_its_audit_page_says_why_it_is_not_writing()
    {
        File.CreateSymbolicLink(Path.Combine(_state, "audit.log"), "/dev/full");
        using var daemon = DaemonProcess.Start($"--Conclave:StateDirectory={_state}", "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0");
        var stderr = daemon.StandardError.ReadToEndAsync();
        var journal = new System.Text.StringBuilder();
        var rest = Task.FromResult("");
        try
        {
            var ready = await ReadyAsync(daemon, journal);
            rest = ready.Remaining;
            var (console, setupLink) = (ready.Console, ready.SetupLink);

            using var admin = new ConsoleClient(console);
            await admin.CreateFirstAdminAsync(setupLink, "first-admin", "first admin password");
            var created = await admin.SubmitAsync("/console/users", "/console/users",
                ("username", "bob"), ("display_name", "Bob"), ("password", "bob's long password"), ("roles", "member"));
            Assert.Equal(HttpStatusCode.Redirect, created.StatusCode);
            using var bob = new ConsoleClient(console);
            await bob.LoginAsync("bob", "bob's long password");
            Assert.Equal(HttpStatusCode.OK, (await bob.GetAsync("/console")).StatusCode);

            var page = await admin.GetAsync("/console/audit");
            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            string html = WebUtility.HtmlDecode(await page.Content.ReadAsStringAsync());
            Assert.Contains("Audit log not writing: No space left on device", html);
            Assert.Matches(@"\d+ failed writes, \d+ records waiting", html);
        }
        finally
        {
            using (var term = Process.Start("kill", ["-TERM", daemon.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)])) await term.WaitForExitAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            await daemon.WaitForExitAsync(timeout.Token);
        }
        journal.Append(await rest);
        Assert.True(daemon.ExitCode == 0, $"conclaved exited {daemon.ExitCode}: {await stderr}");
        // Logged once when the log stopped writing, not once per record or retry.
        Assert.Equal(1, Regex.Count(journal.ToString(), "The audit log is not writing: No space left on device"));
    }

    /// <summary>
    /// The console's address and the first admin's setup link, as conclaved prints them when it
    /// is up; the lines up to there go to <paramref name="journal"/>, the rest is read by the task returned.
    /// </summary>
    private static async Task<(Uri Console, Uri SetupLink, Task<string> Remaining)> ReadyAsync(Process daemon, System.Text.StringBuilder journal)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Uri? console = null;
        while (await daemon.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            journal.AppendLine(line);
            if (ConsoleAt().Match(line) is { Success: true } up) console = new Uri(up.Groups[1].Value);
            if (SetupAt().Match(line) is { Success: true } setup && console is not null)
            {
                return (console, new Uri(setup.Groups[1].Value), daemon.StandardOutput.ReadToEndAsync());
            }
        }
        throw new Xunit.Sdk.XunitException($"conclaved exited before it was up: {journal}");
    }

    [GeneratedRegex(@"console at (https://[^/\s]+)/console")]
    private static partial Regex ConsoleAt();

    [GeneratedRegex(@"within this run at (https://\S+)")]
    private static partial Regex SetupAt();

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
