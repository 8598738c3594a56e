using System.Diagnostics;

namespace Conclave.Daemon.Tests;

/// <summary>A token pulled out from under a running conclaved: the daemon keeps running and says so in its log.</summary>
public sealed class TokenLossTests
{
    [Fact]
    public async Task A_token_removed_while_running_is_reported_once_in_the_log_and_the_daemon_keeps_running()
    {
        string state = Conclave.Testing.DevelopmentTokenState.NewStateDirectoryWithOwnTokenCopy();
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { Path.Combine(AppContext.BaseDirectory, "conclaved.dll"), "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={state}" })
        {
            start.ArgumentList.Add(argument);
        }
        using var daemon = Process.Start(start)!;
        _ = daemon.StandardError.ReadToEndAsync();
        try
        {
            await ReadUntilAsync(daemon, "Conclave is up");
            string tokenDirectory = Directory.GetDirectories(Path.Combine(state, "softhsm", "tokens")).Single();
            Directory.Move(tokenDirectory, tokenDirectory + "-pulled-out");

            string line = await ReadUntilAsync(daemon, "is unreachable");
            Assert.Contains("Token conclave is unreachable", line);
            Assert.Contains("Media goes on", line);
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
