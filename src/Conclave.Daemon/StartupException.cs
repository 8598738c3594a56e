namespace Conclave.Daemon;

/// <summary>Start-up failed for a reason an operator can fix; the message is the one line to show.</summary>
public sealed class StartupException(string message, int exitCode) : Exception(message)
{
    /// <summary>2: bad configuration; 3: a port is in use or cannot be bound; 4: the token (absent, wrong PIN, keys missing).</summary>
    public int ExitCode { get; } = exitCode;
}
