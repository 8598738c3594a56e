namespace Conclave.Web.Console;

/// <summary>What the console needs from the daemon's configuration.</summary>
public sealed record ConsoleOptions(string AuditLogPath);
