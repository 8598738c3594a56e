using Conclave.Daemon;
using Microsoft.Extensions.Hosting.Systemd;

// conclaved: exit 0 on a clean stop, 2 for bad configuration, 3 when a port cannot be bound,
// 4 for the token (absent, wrong PIN, keys missing: never retried, tokens lock).
try
{
    await using var daemon = await DaemonHost.StartAsync(args);
    await daemon.WaitForShutdownAsync();
    return 0;
}
catch (StartupException e)
{
    Console.Error.WriteLine($"conclaved: {e.Message}");
    // systemd shows STATUS= in `systemctl status`; Type=notify waits for READY=1 otherwise.
    var notifier = new SystemdNotifier();
    if (notifier.IsEnabled) notifier.Notify(new ServiceState($"STATUS=failed: {e.Message}"));
    return e.ExitCode;
}
