using System.Globalization;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Audit;

/// <summary>
/// Keeps one stranger from filling the audit log with refusals. A refusal of someone not
/// logged in (an actor with a <see cref="AuditActor.Source"/>) is written at once only when
/// it is the first of its kind (source network, action, reason) in
/// <see cref="RefusalAggregation.Interval"/>; the others in that interval are counted, and
/// one record says how many when it ends: "refused: not logged in; 4182 more refusals of
/// console.access from 192.0.2.7 in 60 s", with the object of the last of them. Everything
/// else, authenticated or done, passes through as it comes. Memory is bounded by
/// <see cref="RefusalAggregation.MaxTrackedSources"/>: refusals from further networks are
/// counted as from <see cref="OtherNetworks"/> rather than pushing out networks already
/// counted, so a sender with many addresses (an IPv6 /48 holds 65,536 /64s) gets no more
/// first records for them.
/// </summary>
public sealed class RefusalAggregator : IAuditTrail, IDisposable
{
    /// <summary>The network named in the summary of refusals from networks beyond <see cref="RefusalAggregation.MaxTrackedSources"/>.</summary>
    public const string OtherNetworks = "other networks";

    private readonly IAuditTrail _inner;
    private readonly TimeProvider _time;
    private readonly RefusalAggregation _options;
    private readonly ITimer _sweep;
    private readonly Lock _lock = new();
    // Held while summaries are written, so that Dispose waits for a sweep under way: nothing
    // is written once it returns (the log closes next).
    private readonly Lock _summarising = new();
    private readonly Dictionary<Kind, Window> _windows = [];
    private bool _disposed;

    private readonly record struct Kind(string Network, AuditAction Action, string Reason);

    /// <summary>The refusals of one kind since its first, which was written.</summary>
    private sealed class Window(DateTimeOffset opened, AuditObject target)
    {
        public DateTimeOffset Opened { get; } = opened;
        public long More { get; set; }
        public AuditObject LastTarget { get; set; } = target;
    }

    private readonly record struct Summary(Kind Kind, long More, AuditObject Target, TimeSpan Span);

    public RefusalAggregator(IAuditTrail inner, TimeProvider time, RefusalAggregation options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThanOrEqual(options.Interval, TimeSpan.Zero);
        _inner = inner;
        _time = time;
        _options = options;
        // Intervals end on time to within a second.
        var period = options.Interval < TimeSpan.FromSeconds(1) ? options.Interval : TimeSpan.FromSeconds(1);
        _sweep = time.CreateTimer(_ => Sweep(), null, period, period);
    }

    public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome)
    {
        if (actor.Source is not { } source || outcome.Refusal is not { } reason)
        {
            _inner.Record(actor, action, target, outcome);
            return;
        }
        var now = _time.GetUtcNow();
        Summary? ended = null;
        lock (_lock)
        {
            if (!_disposed)
            {
                var kind = new Kind(SourceNetwork.Of(source), action, reason);
                if (!_windows.TryGetValue(kind, out var window) && _windows.Count >= _options.MaxTrackedSources)
                {
                    kind = kind with { Network = OtherNetworks };
                    _windows.TryGetValue(kind, out window);
                }
                if (window is not null && now - window.Opened < _options.Interval)
                {
                    window.More++;
                    window.LastTarget = target;
                    return;
                }
                if (window is { More: > 0 }) ended = new Summary(kind, window.More, window.LastTarget, _options.Interval);
                _windows[kind] = new Window(now, target);
            }
        }
        if (ended is { } summary) Write(summary);
        _inner.Record(actor, action, target, outcome);
    }

    /// <summary>Writes the summaries of the intervals that have ended and forgets them.</summary>
    private void Sweep()
    {
        lock (_summarising)
        {
            var now = _time.GetUtcNow();
            List<Summary>? ended = null;
            lock (_lock)
            {
                if (_disposed) return;
                foreach (var (kind, window) in _windows)
                {
                    if (now - window.Opened < _options.Interval) continue;
                    if (window.More > 0) (ended ??= []).Add(new Summary(kind, window.More, window.LastTarget, _options.Interval));
                    _windows.Remove(kind);
                }
            }
            ended?.ForEach(Write);
        }
    }

    private void Write(Summary summary)
    {
        var (kind, more, target, span) = summary;
        string seconds = Math.Ceiling(span.TotalSeconds).ToString(CultureInfo.InvariantCulture);
        _inner.Record(AuditActor.Anonymous(kind.Network), kind.Action, target,
            AuditOutcome.Refused($"{kind.Reason}; {more} more refusals of {kind.Action} from {AuditText.Untrusted(kind.Network)} in {seconds} s"));
    }

    /// <summary>Writes what has been counted so far (at shutdown, before the log closes); refusals after this are written as they come.</summary>
    public void Dispose()
    {
        _sweep.Dispose();
        lock (_summarising)
        {
            var now = _time.GetUtcNow();
            List<Summary> ended = [];
            lock (_lock)
            {
                if (_disposed) return;
                _disposed = true;
                foreach (var (kind, window) in _windows)
                {
                    if (window.More > 0) ended.Add(new Summary(kind, window.More, window.LastTarget, now - window.Opened));
                }
                _windows.Clear();
            }
            ended.ForEach(Write);
        }
    }
}
