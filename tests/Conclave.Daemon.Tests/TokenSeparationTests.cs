using Conclave.Keys;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>
/// conclaved opens the appliance token and no other (the compliance token's PIN is never its
/// input), and refuses to start while the appliance token holds a compliance key.
/// In the in-process daemon's collection: what this process holds open is then the daemon's alone.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class TokenSeparationTests(InProcessDaemon fixture)
{
    [Fact]
    public void The_running_daemon_has_opened_exactly_the_appliance_token()
    {
        Assert.NotNull(fixture.Daemon);
        Assert.Equal(["conclave"], Token.OpenLabels);
    }

    [Fact]
    public async Task An_escrow_key_on_the_appliance_token_stops_the_start_with_one_line_naming_the_command_that_removes_it()
    {
        var (state, label) = DevelopmentTokenState.NewStateDirectoryWithOwnToken();
        using (var token = DevelopmentTokenState.OpenAt(state, label))
        {
            DevelopmentTokenState.AddPreSeparationEscrowKey(token);
        }
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={state}", $"--Conclave:Token:Label={label}");
        Assert.Equal(4, exitCode);
        Assert.Equal($"conclaved: token: token '{label}' holds compliance keys (conclave-compliance-escrow), which must live on the compliance token only: "
            + "remove them with conclavectl token remove-escrow-key", stderr.Trim());
        Directory.Delete(state, recursive: true);
    }
}
