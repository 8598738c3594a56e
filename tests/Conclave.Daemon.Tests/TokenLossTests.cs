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
public sealed class TokenLossTests
{
    [Fact]
    public async Task A_token_removed_while_running_is_reported_in_the_log_and_on_the_console_and_what_needs_a_key_answers_503()
    {
        string state = DevelopmentTokenState.NewStateDirectoryWithOwnTokenCopy();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "conclaved.dll"), "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={state}" })
        {
            start.ArgumentList.Add(argument);
        }
        using var daemon = Process.Start(start)!;
        _ = daemon.StandardError.ReadToEndAsync();
        try
        {
            string up = await ReadUntilAsync(daemon, "Conclave is up");
            var https = new Uri(Regex.Match(up, @"https://[^/\s]+").Value);
            string setupLine = await ReadUntilAsync(daemon, "Create the first one");
            var setup = new Uri(Regex.Match(setupLine, @"https://\S+").Value);
            using var admin = new ConsoleClient(https);
            await admin.CreateFirstAdminAsync(setup, "ada", "correct horse battery");
            string before = await (await admin.GetAsync("/console/token")).Content.ReadAsStringAsync();
            Assert.Contains("present and logged in", before);

            string tokenDirectory = Directory.GetDirectories(Path.Combine(state, "softhsm", "tokens")).Single();
            Directory.Move(tokenDirectory, tokenDirectory + "-pulled-out");

            string line = await ReadUntilAsync(daemon, "is unreachable");
            Assert.Contains("Token conclave is unreachable", line);
            Assert.Contains("Media goes on", line);
            var status = await admin.GetAsync("/console/token");
            Assert.Equal(HttpStatusCode.OK, status.StatusCode);
            string statusPage = await status.Content.ReadAsStringAsync();
            Assert.True(statusPage.Contains("UNREACHABLE"), statusPage);
            var needsKey = await admin.GetAsync("/console/enrol"); // seals a new TOTP seed: needs the storage KEK
            Assert.Equal(HttpStatusCode.ServiceUnavailable, needsKey.StatusCode);
            Assert.Contains("key token is not reachable", await needsKey.Content.ReadAsStringAsync());
            Assert.Equal(HttpStatusCode.OK, (await admin.GetAsync("/console/audit")).StatusCode); // audited actions go on
            await Task.Delay(TokenWatch.Interval * 2);
            Assert.False(daemon.HasExited, "the daemon keeps running without its token");
        }
        finally
        {
            daemon.Kill(entireProcessTree: true);
        }
    }

    private static async Task<string> ReadUntilAsync(Process process, string text)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
        {
            if (line.Contains(text, StringComparison.Ordinal)) return line;
        }
        throw new Xunit.Sdk.XunitException($"conclaved never logged '{text}'");
    }
}
