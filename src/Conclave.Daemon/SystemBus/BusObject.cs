namespace Conclave.Daemon.SystemBus;

/// <summary>One D-Bus object of a system service, and the daemon's name as the page says it ("systemd-hostnamed").</summary>
internal sealed record BusObject(string Destination, string Path, string Interface, string Daemon);
