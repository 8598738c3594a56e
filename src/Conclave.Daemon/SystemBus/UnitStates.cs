using Conclave.Web.Ports;
using Tmds.DBus.Protocol;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// The state of conclaved and the services it lives with, from systemd (org.freedesktop.systemd1,
/// org.freedesktop.systemd1(5)): Manager.LoadUnit finds the unit (loading its file if nothing has yet, so
/// one not installed shows as such rather than as an error), then the Unit's LoadState, ActiveState, SubState.
/// </summary>
internal sealed class UnitStates(SystemBusConnection bus)
{
    private static readonly BusObject Manager = new("org.freedesktop.systemd1", "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager", "systemd");

    /// <summary>conclaved and what it relies on: its packet filter, clock, journal, token reader (pcscd), the bus itself and the network.</summary>
    public static readonly IReadOnlyList<string> ApplianceUnits =
    [
        "conclaved.service", "nftables.service", "chrony.service", "systemd-journald.service", "pcscd.service", "dbus.service", "systemd-networkd.service",
    ];

    public async Task<IReadOnlyList<UnitStatus>> ReadAsync(IReadOnlyList<string> units, CancellationToken cancellationToken)
    {
        var reads = new Task<UnitStatus>[units.Count];
        for (int i = 0; i < units.Count; i++) reads[i] = ReadAsync(units[i], cancellationToken);
        return await Task.WhenAll(reads);
    }

    private async Task<UnitStatus> ReadAsync(string unit, CancellationToken cancellationToken)
    {
        ObjectPath path;
        try
        {
            path = await bus.CallAsync(() => LoadUnit(unit), static (message, _) => message.GetBodyReader().ReadObjectPath(), null, Manager, $"LoadUnit {unit}", cancellationToken);
        }
        catch (SystemBusException e)
        {
            return new UnitStatus(unit, null, null, null, e.Message);
        }
        var target = new BusObject(Manager.Destination, path.ToString(), "org.freedesktop.systemd1.Unit", "systemd");
        var problems = new PropertyProblems();
        var load = bus.TryGetPropertyAsync(target, "LoadState", VariantValueType.String, problems, cancellationToken);
        var active = bus.TryGetPropertyAsync(target, "ActiveState", VariantValueType.String, problems, cancellationToken);
        var sub = bus.TryGetPropertyAsync(target, "SubState", VariantValueType.String, problems, cancellationToken);
        return new UnitStatus(unit, (await load)?.GetString(), (await active)?.GetString(), (await sub)?.GetString(), problems.Summary);
    }


    private MessageBuffer LoadUnit(string unit)
    {
        using var writer = bus.NewMessage();
        writer.WriteMethodCallHeader(destination: Manager.Destination, path: Manager.Path, @interface: Manager.Interface, member: "LoadUnit", signature: "s");
        writer.WriteString(unit);
        return writer.CreateMessage();
    }
}
