using System.Net;
using System.Net.Sockets;

namespace Conclave.Daemon.Tests;

/// <summary>A bad configuration value or a port in use: one clear line and a non-zero exit.</summary>
public sealed class StartupFailureTests
{
    private static string StateDirectory() => Path.Combine(Path.GetTempPath(), "conclave-startup-" + Guid.NewGuid().ToString("N"));

    [Theory]
    [InlineData("--Conclave:Https=not-an-endpoint", "Conclave:Https 'not-an-endpoint' is not an address:port")]
    [InlineData("--Conclave:Media=127.0.0.1:99999", "Conclave:Media '127.0.0.1:99999' is not an address:port")]
    [InlineData("--Conclave:MediaAdvertisedAddress=example", "Conclave:MediaAdvertisedAddress 'example' is not an IP address")]
    [InlineData("--Conclave:Media=0.0.0.0:0", "set Conclave:MediaAdvertisedAddress")]
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
