namespace Conclave.Meetings.Accounts;

/// <summary>
/// Failed logins per source network (an IPv4 address, an IPv6 /64: <see cref="SourceNetwork"/>)
/// within the policy's window, in memory (a restart
/// forgets them). Bounded: at most
/// <see cref="MaxTrackedSources"/> addresses, the oldest forgotten first.
/// </summary>
internal sealed class SourceThrottle(LoginPolicy policy, TimeProvider time)
{
    private const int MaxTrackedSources = 10_000;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, (int Failures, DateTimeOffset Since)> _sources = new(StringComparer.Ordinal);

    public bool IsBlocked(string source)
    {
        source = SourceNetwork.Of(source);
        lock (_lock)
        {
            return _sources.TryGetValue(source, out var entry)
                && time.GetUtcNow() - entry.Since < policy.FailureWindow
                && entry.Failures >= policy.MaxFailuresPerSource;
        }
    }

    public void RecordFailure(string source)
    {
        source = SourceNetwork.Of(source);
        var now = time.GetUtcNow();
        lock (_lock)
        {
            if (!_sources.TryGetValue(source, out var entry) || now - entry.Since >= policy.FailureWindow) entry = (0, now);
            if (_sources.Count >= MaxTrackedSources && !_sources.ContainsKey(source))
            {
                _sources.Remove(_sources.MinBy(s => s.Value.Since).Key);
            }
            _sources[source] = (entry.Failures + 1, entry.Since);
        }
    }
}
