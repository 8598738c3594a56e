namespace Conclave.Web.Ports;

/// <summary>
/// The operating system around conclaved, for the console's System page (docs/system-page.md): the
/// daemon implements it over the D-Bus system bus (systemd-hostnamed, systemd-timedated, systemd,
/// systemd-logind) and chrony's configuration files; Web never sees D-Bus. Nothing here throws for a
/// system that refuses or is absent: every answer says what went wrong in words a page can show.
/// Each call gives up after a few seconds rather than hold the request.
/// </summary>
public interface IApplianceSystem
{
    /// <summary>Everything the page shows, each part read on its own so one absent service spoils only its part.</summary>
    Task<ApplianceSystemSnapshot> ReadAsync(CancellationToken cancellationToken);

    /// <summary>The static and transient host name alone (what a change is audited against).</summary>
    Task<HostnameStatus> ReadHostnameAsync(CancellationToken cancellationToken);

    /// <summary>systemd-hostnamed's SetStaticHostname, never interactive. <paramref name="hostname"/> has passed <see cref="StaticHostname.Check"/>.</summary>
    Task<SystemActionResult> SetStaticHostnameAsync(string hostname, CancellationToken cancellationToken);

    /// <summary>systemd-logind's Reboot, never interactive. On success the machine is going down.</summary>
    Task<SystemActionResult> RebootAsync(CancellationToken cancellationToken);

    /// <summary>systemd-logind's PowerOff, never interactive.</summary>
    Task<SystemActionResult> PowerOffAsync(CancellationToken cancellationToken);
}

/// <param name="BusProblem">Set when there is no system bus to ask at all (a development machine); the D-Bus parts then hold only that.</param>
public sealed record ApplianceSystemSnapshot(string? BusProblem, HostnameStatus Hostname, TimeStatus Time, TimeSources TimeSources, IReadOnlyList<UnitStatus> Units);

/// <param name="Static">What /etc/hostname holds (StaticHostname); null when unknown.</param>
/// <param name="Transient">The kernel's host name now (Hostname); null when unknown.</param>
/// <param name="Problem">Why one of them is unknown, or null.</param>
public sealed record HostnameStatus(string? Static, string? Transient, string? Problem);

/// <summary>systemd-timedated's view of the clock; a null field could not be read and <paramref name="Problem"/> says why.</summary>
/// <param name="Ntp">Whether network time synchronisation is switched on (NTP).</param>
/// <param name="NtpSynchronized">Whether the kernel's clock counts as synchronised (NTPSynchronized).</param>
/// <param name="CanNtp">Whether a time daemon timedated knows is installed (CanNTP).</param>
public sealed record TimeStatus(DateTimeOffset? SystemTime, string? TimeZone, bool? Ntp, bool? NtpSynchronized, bool? CanNtp, string? Problem);

/// <summary>The time sources chrony is configured with: its <c>server</c> and <c>pool</c> lines, where each comes from.</summary>
/// <param name="Problem">Why the configuration could not be read (chrony absent), or null.</param>
public sealed record TimeSources(IReadOnlyList<TimeSource> Sources, string? Problem);

/// <param name="Directive">The line as written, comments removed: "server 192.0.2.1 iburst".</param>
/// <param name="File">The file that holds it.</param>
public sealed record TimeSource(string Directive, string File);

/// <summary>A systemd unit's state: ActiveState ("active", "failed"…) and SubState ("running", "exited"…).</summary>
/// <param name="LoadState">"loaded", or "not-found" for a unit not installed.</param>
public sealed record UnitStatus(string Unit, string? LoadState, string? ActiveState, string? SubState, string? Problem);

/// <summary>How a state-changing call ended: done, or why not.</summary>
public sealed record SystemActionResult(string? Problem)
{
    public static SystemActionResult Done { get; } = new((string?)null);

    public bool Succeeded => Problem is null;
}
