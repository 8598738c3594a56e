using System.Diagnostics;
using Tmds.DBus.Protocol;

namespace Conclave.Daemon.Tests.SystemBus;

/// <summary>
/// A dbus-daemon of the test's own, listening on a socket of its own with a configuration the test writes:
/// anyone may own any name and call anything, and nothing is activated, so a name nobody owns is
/// ServiceUnknown as a service that is not running is on the appliance. This machine's system bus (if any)
/// is never touched.
/// </summary>
internal sealed class PrivateSystemBus : IAsyncDisposable
{
    private readonly Process _daemon;
    private readonly DirectoryInfo _directory;
    private readonly string _socket;
    private readonly List<Process> _services = [];

    private PrivateSystemBus(Process daemon, DirectoryInfo directory, string socket, string address)
    {
        _daemon = daemon;
        _directory = directory;
        _socket = socket;
        Address = address;
    }

    /// <summary>What DBUS_SYSTEM_BUS_ADDRESS would hold for it.</summary>
    public string Address { get; }

    /// <param name="socket">Where to listen (a daemon configured for that path finds it there); a fresh path when null.</param>
    public static async Task<PrivateSystemBus> StartAsync(string? socket = null)
    {
        var directory = Directory.CreateTempSubdirectory("conclave-bus-");
        socket ??= Path.Combine(directory.FullName, "system_bus_socket");
        // A socket left by a bus that was killed would make this one fail to bind.
        File.Delete(socket);
        string configuration = Path.Combine(directory.FullName, "bus.conf");
        await File.WriteAllTextAsync(configuration, $"""
            <!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN" "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
            <busconfig>
              <type>system</type>
              <listen>unix:path={socket}</listen>
              <auth>EXTERNAL</auth>
              <policy context="default">
                <allow user="*"/>
                <allow own="*"/>
                <allow send_destination="*"/>
                <allow receive_sender="*"/>
              </policy>
            </busconfig>
            """);
        var start = new ProcessStartInfo("dbus-daemon") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var arg in new[] { $"--config-file={configuration}", "--nofork", "--print-address=1" }) start.ArgumentList.Add(arg);
        var daemon = Process.Start(start)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        string? address = await daemon.StandardOutput.ReadLineAsync(timeout.Token);
        if (string.IsNullOrEmpty(address))
        {
            daemon.Kill();
            throw new Xunit.Sdk.XunitException($"dbus-daemon printed no address: {await daemon.StandardError.ReadToEndAsync()}");
        }
        return new PrivateSystemBus(daemon, directory, socket, address);
    }

    /// <summary>Starts a program (such as /lib/systemd/systemd-hostnamed) on this bus as its system bus, and waits until it owns <paramref name="busName"/>.</summary>
    public async Task RunServiceAsync(string program, string busName)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.Environment["DBUS_SYSTEM_BUS_ADDRESS"] = Address;
        var service = Process.Start(start)!;
        _services.Add(service);
        using var connection = new DBusConnection(Address);
        await connection.ConnectAsync();
        for (var waited = Stopwatch.StartNew(); !(await connection.ListServicesAsync()).Contains(busName); await Task.Delay(50))
        {
            if (service.HasExited || waited.Elapsed > TimeSpan.FromSeconds(10))
            {
                throw new Xunit.Sdk.XunitException($"{program} did not take {busName} on the private bus: {(service.HasExited ? await service.StandardError.ReadToEndAsync() : "still waiting after 10 s")}");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var service in _services)
        {
            if (!service.HasExited) service.Kill();
            await service.WaitForExitAsync();
            service.Dispose();
        }
        _daemon.Kill();
        await _daemon.WaitForExitAsync();
        _daemon.Dispose();
        File.Delete(_socket);
        _directory.Delete(recursive: true);
    }
}
