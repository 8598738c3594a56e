using Tmds.DBus.Protocol;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// Reboot and power off through systemd-logind (org.freedesktop.login1, org.freedesktop.login1(5)),
/// interactive false: polkit decides alone (firmware-config/polkit-1/rules.d/50-conclave.rules).
/// </summary>
internal sealed class PowerControl(SystemBusConnection bus)
{
    private static readonly BusObject Manager = new("org.freedesktop.login1", "/org/freedesktop/login1", "org.freedesktop.login1.Manager", "systemd-logind");

    public Task RebootAsync(CancellationToken cancellationToken) => bus.CallAsync(() => Call("Reboot"), Manager, "Reboot", cancellationToken);

    public Task PowerOffAsync(CancellationToken cancellationToken) => bus.CallAsync(() => Call("PowerOff"), Manager, "PowerOff", cancellationToken);

    private MessageBuffer Call(string member)
    {
        using var writer = bus.NewMessage();
        writer.WriteMethodCallHeader(destination: Manager.Destination, path: Manager.Path, @interface: Manager.Interface, member: member, signature: "b");
        writer.WriteBool(false);
        return writer.CreateMessage();
    }
}
