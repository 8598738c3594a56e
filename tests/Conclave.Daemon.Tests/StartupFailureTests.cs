using System.Net;
using System.Net.Sockets;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>A bad configuration value or a port in use: one clear line and a non-zero exit.</summary>
public sealed class StartupFailureTests
{
    private static string StateDirectory() => DevelopmentTokenState.NewStateDirectory();

    [Theory]
    [InlineData("--Conclave:Https=not-an-endpoint", "Conclave:Https 'not-an-endpoint' is not an address:port")]
    [InlineData("--Conclave:Media=127.0.0.1:99999", "Conclave:Media '127.0.0.1:99999' is not an address:port")]
    [InlineData("--Conclave:MediaAdvertisedAddress=example", "Conclave:MediaAdvertisedAddress 'example' is not an IP address")]
    [InlineData("--Conclave:Media=0.0.0.0:0", "set Conclave:MediaAdvertisedAddress")]
    [InlineData("--Conclave:Metrics=0.0.0.0:9464", "Conclave:Metrics '0.0.0.0:9464' must be a loopback address and port")]
    public async Task A_bad_configuration_value_exits_2_with_one_line_naming_it(string argument, string expected)
    {
        // The bad value comes last, so it overrides the test's free-port defaults.
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            $"--Conclave:StateDirectory={StateDirectory()}", "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", argument);
        Assert.Equal(2, exitCode);
        var lines = stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Single(lines);
        Assert.StartsWith("conclaved: ", lines[0]);
        Assert.Contains(expected, lines[0]);
    }

    [Fact]
    public async Task A_state_directory_in_use_by_another_daemon_exits_2()
    {
        string state = StateDirectory();
        using (Conclave.Storage.StateLock.TryAcquire(state))
        {
            var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync($"--Conclave:StateDirectory={state}", "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0");
            Assert.Equal(2, exitCode);
            Assert.Equal($"conclaved: state directory {state} is in use by another conclaved or a conclavectl command that changes it", stderr.Trim());
        }
    }

    [Fact]
    public async Task A_wrong_pin_exits_4_with_one_line_that_does_not_contain_it()
    {
        const string wrong = "not-the-token-pin";
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={DevelopmentTokenState.NewStateDirectory(pin: wrong)}");
        Assert.Equal(4, exitCode);
        // SoftHSM2 reports CKF_USER_PIN_COUNT_LOW after a failed login; the line passes that on.
        Assert.Equal("conclaved: token: wrong PIN for token 'conclave' (not retried: the token locks after repeated failures; the token reports few tries left)", stderr.Trim());
    }

    [Fact]
    public async Task An_absent_token_exits_4_naming_it()
    {
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={StateDirectory()}", "--Conclave:Token:Label=vault-7");
        Assert.Equal(4, exitCode);
        Assert.StartsWith("conclaved: token: no token labelled 'vault-7' is present", stderr.Trim());
    }

    [Fact]
    public async Task No_pin_at_all_exits_4_saying_where_it_should_be()
    {
        string state = StateDirectory();
        File.Delete(Path.Combine(state, "token-pin"));
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={state}");
        Assert.Equal(4, exitCode);
        Assert.Contains("no systemd credential 'token-pin'", stderr);
    }

    [Fact]
    public async Task A_corrupted_audit_log_stops_the_start_with_one_line_naming_it()
    {
        string state = StateDirectory();
        File.WriteAllText(Path.Combine(state, "audit.log"), "{\"seq\":1,\"kind\":\"event\"} this is not a record\n");
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={state}");
        Assert.Equal(4, exitCode);
        Assert.StartsWith($"conclaved: audit log: {Path.Combine(state, "audit.log")}: its last record is unreadable", stderr.Trim());
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }

    [Fact]
    public async Task A_media_port_in_use_exits_3_naming_the_port()
    {
        using var occupant = new UdpClient(new IPEndPoint(IPAddress.Loopback, 0));
        int port = ((IPEndPoint)occupant.Client.LocalEndPoint!).Port;
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            "--Conclave:Https=127.0.0.1:0", $"--Conclave:Media=127.0.0.1:{port}", $"--Conclave:StateDirectory={StateDirectory()}");
        Assert.Equal(3, exitCode);
        Assert.Equal($"conclaved: cannot listen for media on UDP 127.0.0.1:{port}: address already in use", stderr.Trim());
    }

    [Fact]
    public async Task An_https_port_in_use_exits_3_naming_the_port()
    {
        using var occupant = new TcpListener(IPAddress.Loopback, 0);
        occupant.Start();
        int port = ((IPEndPoint)occupant.LocalEndpoint).Port;
        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            $"--Conclave:Https=127.0.0.1:{port}", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={StateDirectory()}");
        Assert.Equal(3, exitCode);
        Assert.Contains($"conclaved: cannot listen for HTTPS on 127.0.0.1:{port}: address already in use", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
    }
}
