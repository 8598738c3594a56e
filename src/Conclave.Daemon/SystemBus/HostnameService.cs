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
        var staticName = ReadAsync("StaticHostname", problems, cancellationToken);
        var transient = ReadAsync("Hostname", problems, cancellationToken);
        return new HostnameStatus(await staticName, await transient, problems.Summary);
    }

    /// <summary>SetStaticHostname(s hostname, b interactive) with interactive false: polkit decides alone (firmware-config/polkit-1).</summary>
    public Task SetStaticAsync(string hostname, CancellationToken cancellationToken) =>
        bus.CallAsync(() => SetStaticHostname(hostname), Object, "SetStaticHostname", cancellationToken);

    private async Task<string?> ReadAsync(string property, PropertyProblems problems, CancellationToken cancellationToken)
    {
        try
        {
            return (await bus.GetPropertyAsync(Object, property, VariantValueType.String, cancellationToken)).GetString();
        }
        catch (SystemBusException e)
        {
            problems.Add(e.Message);
            return null;
        }
    }

    private MessageBuffer SetStaticHostname(string hostname)
    {
        using var writer = bus.NewMessage();
        writer.WriteMethodCallHeader(destination: Object.Destination, path: Object.Path, @interface: Object.Interface, member: "SetStaticHostname", signature: "sb");
        writer.WriteString(hostname);
        writer.WriteBool(false);
        return writer.CreateMessage();
    }
}
