namespace Conclave.Daemon.SystemBus;

/// <summary>
/// Why the properties of one service that could not be read were not, each reason once: a service that is
/// not running fails every property the same way, and the page should say so once.
/// </summary>
internal sealed class PropertyProblems
{
    private readonly Lock _lock = new();
    private readonly List<string> _problems = [];

    public void Add(string problem)
    {
        lock (_lock)
        {
            if (!_problems.Contains(problem)) _problems.Add(problem);
        }
    }

    /// <summary>The reasons joined, or null when every property was read.</summary>
    public string? Summary
    {
        get
        {
            lock (_lock) return _problems.Count == 0 ? null : string.Join("; ", _problems);
        }
    }
}
