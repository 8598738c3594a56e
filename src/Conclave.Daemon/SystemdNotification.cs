using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;

namespace Conclave.Daemon;

/// <summary>
/// Type=notify readiness (sd_notify(3)): READY=1 once the host has started, STOPPING=1 when it stops.
/// </summary>
/// <remarks>
/// <c>UseSystemd()</c> decides it runs under systemd by reading <c>/proc/&lt;ppid&gt;/comm</c>, which the
/// unit's <c>ProtectProc=invisible</c> hides (docs/operations.md); it would then fall back to the console
/// lifetime and never send READY=1. <c>NOTIFY_SOCKET</c> is what systemd sets for a Type=notify service,
/// so its presence decides instead. Without it (a shell, tests) the default console lifetime stays.
/// </remarks>
internal static class SystemdNotification
{
    public static void AddWhenRequested(IServiceCollection services)
    {
        if (string.IsNullOrEmpty(Environment.GetEnvironmentVariable("NOTIFY_SOCKET"))) return;
        // SystemdLifetime sends READY=1 on ApplicationStarted, STOPPING=1 on ApplicationStopping, and
        // stops the host on SIGTERM; SystemdNotifier writes to the datagram socket NOTIFY_SOCKET names.
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<IHostLifetime, SystemdLifetime>();
    }
}
