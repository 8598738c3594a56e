using Conclave.Web.Ports;
using Tmds.DBus.Protocol;

namespace Conclave.Daemon.SystemBus;

/// <summary>systemd-hostnamed (org.freedesktop.hostname1, org.freedesktop.hostname1(5)): the host names, and setting the static one.</summary>
internal sealed class HostnameService(SystemBusConnection bus)
{
    private static readonly BusObject Object = new("org.freedesktop.hostname1", "/org/freedesktop/hostname1", "org.freedesktop.hostname1", "systemd-hostnamed");

    public async Task<HostnameStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var problems = new PropertyProblems();
        var staticName = bus.TryGetPropertyAsync(Object, "StaticHostname", VariantValueType.String, problems, cancellationToken);
        var transient = bus.TryGetPropertyAsync(Object, "Hostname", VariantValueType.String, problems, cancellationToken);
        return new HostnameStatus((await staticName)?.GetString(), (await transient)?.GetString(), problems.Summary);
    }

    /// <summary>SetStaticHostname(s hostname, b interactive) with interactive false: polkit decides alone (firmware-config/polkit-1).</summary>
    public Task SetStaticAsync(string hostname, CancellationToken cancellationToken) =>
        bus.CallAsync(() => SetStaticHostname(hostname), Object, "SetStaticHostname", cancellationToken);


    private MessageBuffer SetStaticHostname(string hostname)
    {
        using var writer = bus.NewMessage();
        writer.WriteMethodCallHeader(destination: Object.Destination, path: Object.Path, @interface: Object.Interface, member: "SetStaticHostname", signature: "sb");
        writer.WriteString(hostname);
        writer.WriteBool(false);
        return writer.CreateMessage();
    }
}
