using Conclave.Web.Ports;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// The System page's port over the D-Bus system bus and chrony's files (docs/system-page.md). The bus is
/// tried first: without one (a development machine) the page gets one plain sentence rather than a
/// failure per service. Reads run side by side, so the page waits for the slowest service, at most one
/// call timeout.
/// </summary>
internal sealed class DBusApplianceSystem(SystemBusConnection bus, ChronySources chrony) : IApplianceSystem
{
    private readonly HostnameService _hostname = new(bus);
    private readonly TimeService _time = new(bus);
    private readonly UnitStates _units = new(bus);
    private readonly PowerControl _power = new(bus);

    public async Task<ApplianceSystemSnapshot> ReadAsync(CancellationToken cancellationToken)
    {
        var timeSources = chrony.Read();
        try
        {
            await bus.PingAsync(cancellationToken);
        }
        catch (SystemBusException e)
        {
            return new ApplianceSystemSnapshot(e.Message, new HostnameStatus(null, null, e.Message),
                new TimeStatus(null, null, null, null, null, e.Message), timeSources, []);
        }
        var hostname = _hostname.ReadAsync(cancellationToken);
        var time = _time.ReadAsync(cancellationToken);
        var units = _units.ReadAsync(UnitStates.ApplianceUnits, cancellationToken);
        return new ApplianceSystemSnapshot(null, await hostname, await time, timeSources, await units);
    }

    public Task<HostnameStatus> ReadHostnameAsync(CancellationToken cancellationToken) => _hostname.ReadAsync(cancellationToken);

    public Task<SystemActionResult> SetStaticHostnameAsync(string hostname, CancellationToken cancellationToken) =>
        StaticHostname.Check(hostname) is { } invalid
            ? Task.FromResult(new SystemActionResult(invalid))
            : DoAsync(_hostname.SetStaticAsync(hostname, cancellationToken));

    public Task<SystemActionResult> RebootAsync(CancellationToken cancellationToken) => DoAsync(_power.RebootAsync(cancellationToken));

    public Task<SystemActionResult> PowerOffAsync(CancellationToken cancellationToken) => DoAsync(_power.PowerOffAsync(cancellationToken));

    private static async Task<SystemActionResult> DoAsync(Task call)
    {
        try
        {
            await call;
            return SystemActionResult.Done;
        }
        catch (SystemBusException e)
        {
            return new SystemActionResult(e.Message);
        }
    }
}
