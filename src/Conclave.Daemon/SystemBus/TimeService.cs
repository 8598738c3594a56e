using Conclave.Web.Ports;
using Tmds.DBus.Protocol;

namespace Conclave.Daemon.SystemBus;

/// <summary>
/// systemd-timedated (org.freedesktop.timedate1, org.freedesktop.timedate1(5)): the clock, the time zone and
/// whether network time is on and has synchronised the clock. Read only: the clock is chrony's to set.
/// </summary>
internal sealed class TimeService(SystemBusConnection bus)
{
    private static readonly BusObject Object = new("org.freedesktop.timedate1", "/org/freedesktop/timedate1", "org.freedesktop.timedate1", "systemd-timedated");

    private static readonly ulong MaxMicroseconds = (ulong)(DateTimeOffset.MaxValue - DateTimeOffset.UnixEpoch).Ticks / 10;

    public async Task<TimeStatus> ReadAsync(CancellationToken cancellationToken)
    {
        var problems = new PropertyProblems();
        var now = bus.TryGetPropertyAsync(Object, "TimeUSec", VariantValueType.UInt64, problems, cancellationToken);
        var zone = bus.TryGetPropertyAsync(Object, "Timezone", VariantValueType.String, problems, cancellationToken);
        var ntp = bus.TryGetPropertyAsync(Object, "NTP", VariantValueType.Bool, problems, cancellationToken);
        var synchronized = bus.TryGetPropertyAsync(Object, "NTPSynchronized", VariantValueType.Bool, problems, cancellationToken);
        var canNtp = bus.TryGetPropertyAsync(Object, "CanNTP", VariantValueType.Bool, problems, cancellationToken);
        return new TimeStatus(FromUnixMicroseconds((await now)?.GetUInt64()),
            (await zone)?.GetString(), (await ntp)?.GetBool(), (await synchronized)?.GetBool(), (await canNtp)?.GetBool(), problems.Summary);
    }

    /// <summary>TimeUSec counts microseconds since the Unix epoch (CLOCK_REALTIME); past year 9999 it is no time at all.</summary>
    private static DateTimeOffset? FromUnixMicroseconds(ulong? microseconds) =>
        microseconds <= MaxMicroseconds ? DateTimeOffset.UnixEpoch.AddTicks((long)microseconds.Value * 10) : null;

}
