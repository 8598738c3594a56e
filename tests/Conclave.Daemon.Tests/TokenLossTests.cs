using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>
/// A token pulled out from under a running conclaved: the daemon keeps running, and says
/// so in its log and on the console's Token page; what needs a key fails with a clear
/// 503. (New HTTPS handshakes need the token's TLS key, so the console is read over a
/// connection opened before.)
/// </summary>
public sealed class TokenLossTests(TokenLossTests.PulledOutToken pulledOut) : IClassFixture<TokenLossTests.PulledOutToken>
{
    [Fact]
    public void The_log_says_the_token_is_unreachable_and_media_goes_on()
    {
        Assert.Contains("Token conclave is unreachable", pulledOut.UnreachableLogLine);
        Assert.Contains("Media goes on", pulledOut.UnreachableLogLine);
    }

    [Fact]
    public async Task The_console_token_page_turns_from_present_to_unreachable()
    {
        Assert.Contains("present and logged in", pulledOut.TokenPageBefore);

        var status = await pulledOut.Admin.GetAsync("/console/token");

        Assert.Equal(HttpStatusCode.OK, status.StatusCode);
        string statusPage = await status.Content.ReadAsStringAsync();
        Assert.True(statusPage.Contains("UNREACHABLE"), statusPage);
    }

    [Fact]
    public async Task What_needs_a_key_answers_503_while_audited_actions_go_on()
    {
        var needsKey = await pulledOut.Admin.GetAsync("/console/enrol"); // seals a new TOTP seed: needs the storage KEK

        Assert.Equal(HttpStatusCode.ServiceUnavailable, needsKey.StatusCode);
        Assert.Contains("key token is not reachable", await needsKey.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.OK, (await pulledOut.Admin.GetAsync("/console/audit")).StatusCode);
    }

    [Fact]
    public async Task The_daemon_keeps_running_without_its_token()
    {
        await Task.Delay(TokenWatch.Interval * 2);

        Assert.False(pulledOut.Daemon.HasExited, "the daemon keeps running without its token");
    }

    /// <summary>
    /// conclaved as its own process on a token of its own, with a first admin logged in on
    /// the console, then the token's directory moved away (SoftHSM2's "removal") until the
    /// daemon logs that it is unreachable.
    /// </summary>
    public sealed class PulledOutToken : IAsyncLifetime
    {
        private readonly string _state = DevelopmentTokenState.NewStateDirectoryWithOwnTokenCopy();

        internal Process Daemon { get; private set; } = null!;

        /// <summary>The first admin's console, on a connection opened while the token was in.</summary>
        internal ConsoleClient Admin { get; private set; } = null!;

        internal string TokenPageBefore { get; private set; } = "";

        internal string UnreachableLogLine { get; private set; } = "";

        public async Task InitializeAsync()
        {
            Daemon = DaemonProcess.Start("--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={_state}");
            _ = Daemon.StandardError.ReadToEndAsync();

            string up = await ReadUntilAsync("Conclave is up");
            var https = new Uri(Regex.Match(up, @"https://[^/\s]+").Value);
            string setupLine = await ReadUntilAsync("Create the first one");
            var setup = new Uri(Regex.Match(setupLine, @"https://\S+").Value);
            Admin = new ConsoleClient(https);
            await Admin.CreateFirstAdminAsync(setup, "ada", "correct horse battery");
            TokenPageBefore = await (await Admin.GetAsync("/console/token")).Content.ReadAsStringAsync();

            string tokenDirectory = Directory.GetDirectories(Path.Combine(_state, "softhsm", "tokens")).Single();
            Directory.Move(tokenDirectory, tokenDirectory + "-pulled-out");
            UnreachableLogLine = await ReadUntilAsync("is unreachable");
            // Whatever the daemon logs from now on is read, so that it never waits on a full pipe.
            _ = Daemon.StandardOutput.ReadToEndAsync();
        }

        private async Task<string> ReadUntilAsync(string text)
        {
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
            while (await Daemon.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains(text, StringComparison.Ordinal)) return line;
            }
            throw new Xunit.Sdk.XunitException($"conclaved never logged '{text}'");
        }

        public Task DisposeAsync()
        {
            Admin?.Dispose();
            if (Daemon is not null)
            {
                Daemon.Kill(entireProcessTree: true);
                Daemon.WaitForExit();
                Daemon.Dispose();
            }
            Directory.Delete(_state, recursive: true);
            return Task.CompletedTask;
        }
    }
}
