using Conclave.Daemon.SystemBus;
using Conclave.Web.Ports;

namespace Conclave.Daemon.Tests.SystemBus;

/// <summary>
/// The D-Bus adapters against a dbus-daemon of the test's own: the real systemd-hostnamed and
/// systemd-timedated for reading (read only: nothing here sets this machine's host name or clock), and
/// <see cref="FakeSystemServices"/> for the calls that would change the machine and for systemd and
/// logind, which do not run without systemd as PID 1.
/// </summary>
public sealed class SystemBusAdapterTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(5);

    [Fact]
    public async Task The_host_names_are_read_from_the_real_systemd_hostnamed()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        await bus.RunServiceAsync("/lib/systemd/systemd-hostnamed", FakeSystemServices.Hostname1);
        using var connection = new SystemBusConnection(bus.Address, Timeout);

        var status = await new HostnameService(connection).ReadAsync(CancellationToken.None);

        Assert.Null(status.Problem);
        Assert.Equal(File.ReadAllText("/proc/sys/kernel/hostname").Trim(), status.Transient);
        Assert.Equal(StaticHostnameOfThisMachine(), status.Static);
    }

    [Fact]
    public async Task The_clock_and_time_zone_are_read_from_the_real_systemd_timedated()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        await bus.RunServiceAsync("/lib/systemd/systemd-timedated", FakeSystemServices.Timedate1);
        using var connection = new SystemBusConnection(bus.Address, Timeout);

        var status = await new TimeService(connection).ReadAsync(CancellationToken.None);

        Assert.NotNull(status.SystemTime);
        Assert.InRange(status.SystemTime.Value, DateTimeOffset.UtcNow.AddSeconds(-30), DateTimeOffset.UtcNow.AddSeconds(30));
        Assert.Equal(TimeZoneOfThisMachine(), status.TimeZone);
        // The kernel's synchronisation flag needs no systemd; NTP and CanNTP ask systemd about the time
        // daemon's unit, so without systemd as PID 1 they are unknown and the problem names them.
        Assert.NotNull(status.NtpSynchronized);
        Assert.True(status.Ntp is not null || status.Problem!.Contains("systemd-timedated, NTP: ", StringComparison.Ordinal), status.Problem);
    }

    [Fact]
    public async Task Unit_states_come_from_LoadUnit_and_each_units_properties_and_a_unit_not_installed_says_so()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var services = await FakeSystemServices.StartAsync(bus.Address, FakeSystemServices.Systemd1);
        using var connection = new SystemBusConnection(bus.Address, Timeout);

        var units = await new UnitStates(connection).ReadAsync(["conclaved.service", "chrony.service", "pcscd.service"], CancellationToken.None);

        Assert.Equal(
            [
                new UnitStatus("conclaved.service", "loaded", "active", "running", null),
                new UnitStatus("chrony.service", "loaded", "failed", "failed", null),
                new UnitStatus("pcscd.service", "not-found", "inactive", "dead", null),
            ],
            units);
    }

    [Fact]
    public async Task SetStaticHostname_carries_the_name_and_asks_for_no_interaction()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var services = await FakeSystemServices.StartAsync(bus.Address);
        using var connection = new SystemBusConnection(bus.Address, Timeout);
        var system = new DBusApplianceSystem(connection, ChronySources.Appliance);

        var result = await system.SetStaticHostnameAsync("conclave-2.example.org", CancellationToken.None);

        Assert.True(result.Succeeded, result.Problem);
        Assert.Equal(["SetStaticHostname(conclave-2.example.org, false)"], services.Calls);
    }

    [Fact]
    public async Task A_host_name_that_breaks_the_rules_is_never_sent()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var services = await FakeSystemServices.StartAsync(bus.Address);
        using var connection = new SystemBusConnection(bus.Address, Timeout);

        var result = await new DBusApplianceSystem(connection, ChronySources.Appliance).SetStaticHostnameAsync("-bad", CancellationToken.None);

        Assert.False(result.Succeeded);
        Assert.Empty(services.Calls);
    }

    [Fact]
    public async Task Reboot_and_power_off_ask_logind_without_interaction()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var services = await FakeSystemServices.StartAsync(bus.Address);
        using var connection = new SystemBusConnection(bus.Address, Timeout);
        var system = new DBusApplianceSystem(connection, ChronySources.Appliance);

        Assert.True((await system.RebootAsync(CancellationToken.None)).Succeeded);
        Assert.True((await system.PowerOffAsync(CancellationToken.None)).Succeeded);

        Assert.Equal(["Reboot(false)", "PowerOff(false)"], services.Calls);
    }

    [Fact]
    public async Task An_error_reply_is_reported_with_its_name_and_message()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var services = await FakeSystemServices.StartAsync(bus.Address);
        services.RefuseWith = ("org.freedesktop.DBus.Error.InteractiveAuthorizationRequired", "Interactive authentication required.");
        using var connection = new SystemBusConnection(bus.Address, Timeout);

        var result = await new DBusApplianceSystem(connection, ChronySources.Appliance).SetStaticHostnameAsync("conclave-2", CancellationToken.None);

        Assert.Equal("systemd-hostnamed, SetStaticHostname: org.freedesktop.DBus.Error.InteractiveAuthorizationRequired: Interactive authentication required.",
            result.Problem);
    }

    [Fact]
    public async Task Services_that_are_not_on_the_bus_are_each_reported_as_not_running()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var connection = new SystemBusConnection(bus.Address, Timeout);
        var system = new DBusApplianceSystem(connection, ChronySources.Appliance);

        var snapshot = await system.ReadAsync(CancellationToken.None);

        Assert.Null(snapshot.BusProblem);
        Assert.Equal("systemd-hostnamed is not running", snapshot.Hostname.Problem);
        Assert.Equal("systemd-timedated is not running", snapshot.Time.Problem);
        Assert.All(snapshot.Units, u => Assert.Equal("systemd is not running", u.Problem));
        Assert.Equal(7, snapshot.Units.Count);
        Assert.Equal("systemd-logind is not running", (await system.RebootAsync(CancellationToken.None)).Problem);
    }

    [Fact]
    public async Task Without_a_system_bus_the_snapshot_and_every_action_say_so_plainly()
    {
        using var connection = new SystemBusConnection($"unix:path={Path.Combine(Path.GetTempPath(), $"no-bus-{Guid.NewGuid():N}")}", Timeout);
        var system = new DBusApplianceSystem(connection, ChronySources.Appliance);

        var snapshot = await system.ReadAsync(CancellationToken.None);

        Assert.Equal("D-Bus system bus not available here: hostname, time and services are managed on the appliance", snapshot.BusProblem);
        Assert.Empty(snapshot.Units);
        Assert.Equal(snapshot.BusProblem, (await system.RebootAsync(CancellationToken.None)).Problem);
        Assert.Equal(snapshot.BusProblem, (await system.SetStaticHostnameAsync("conclave-2", CancellationToken.None)).Problem);
    }

    [Fact]
    public async Task A_service_that_does_not_answer_is_given_up_after_the_call_timeout()
    {
        await using var bus = await PrivateSystemBus.StartAsync();
        using var services = await FakeSystemServices.StartAsync(bus.Address);
        services.NeverAnswer = true;
        using var connection = new SystemBusConnection(bus.Address, TimeSpan.FromMilliseconds(300));
        var waited = System.Diagnostics.Stopwatch.StartNew();

        var result = await new DBusApplianceSystem(connection, ChronySources.Appliance).RebootAsync(CancellationToken.None);

        Assert.Equal("systemd-logind did not answer Reboot within 0.3 s", result.Problem);
        Assert.InRange(waited.Elapsed, TimeSpan.FromMilliseconds(250), TimeSpan.FromSeconds(3));
    }

    [Fact]
    public async Task After_the_bus_restarts_the_next_call_connects_again()
    {
        string socket = Path.Combine(Path.GetTempPath(), $"conclave-restart-{Guid.NewGuid():N}");
        using var connection = new SystemBusConnection($"unix:path={socket}", Timeout);
        var hostnames = new HostnameService(connection);
        await using (var first = await PrivateSystemBus.StartAsync(socket))
        using (var services = await FakeSystemServices.StartAsync(first.Address, FakeSystemServices.Hostname1))
        {
            Assert.Equal("conclave-fake", (await hostnames.ReadAsync(CancellationToken.None)).Static);
        }

        await using var second = await PrivateSystemBus.StartAsync(socket);
        using var restarted = await FakeSystemServices.StartAsync(second.Address, FakeSystemServices.Hostname1);
        restarted.StaticHostname = "conclave-after-restart";

        var status = await hostnames.ReadAsync(CancellationToken.None);
        Assert.Null(status.Problem);
        Assert.Equal("conclave-after-restart", status.Static);
    }

    /// <summary>What systemd-hostnamed reads: the first line of /etc/hostname that is not a comment, or nothing.</summary>
    private static string StaticHostnameOfThisMachine() =>
        File.Exists("/etc/hostname")
            ? File.ReadLines("/etc/hostname").Select(l => l.Trim()).FirstOrDefault(l => l.Length > 0 && l[0] != '#') ?? ""
            : "";

    /// <summary>What systemd-timedated reads: the zone /etc/localtime links to, or UTC without the link.</summary>
    private static string TimeZoneOfThisMachine()
    {
        var link = new FileInfo("/etc/localtime").LinkTarget;
        if (link is null) return "UTC";
        int zoneinfo = link.IndexOf("zoneinfo/", StringComparison.Ordinal);
        return link[(zoneinfo + "zoneinfo/".Length)..];
    }
}
