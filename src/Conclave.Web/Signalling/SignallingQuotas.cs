using System.Net;
using Conclave.Meetings.Accounts;

namespace Conclave.Web.Signalling;

/// <summary>
/// How much of the appliance one person, or one network address, may hold through
/// signalling. Every value is configurable (section <c>Conclave:Limits</c>, README); the
/// defaults fit the box's two cores with room for a meeting of the size it can carry.
/// </summary>
public sealed class SignallingLimitOptions
{
    /// <summary>Open signalling sockets of one account or guest, joined or not: a few tabs and devices.</summary>
    public int SocketsPerAttendee { get; set; } = 8;

    /// <summary>Open signalling sockets from one address (IPv6: one /64, what one host can hold).</summary>
    public int SocketsPerSource { get; set; } = 32;

    /// <summary>Media sessions of one account or guest at once, across meetings.</summary>
    public int PeersPerAttendee { get; set; } = 4;

    /// <summary>People in one meeting: beyond about 50, two cores cannot forward everyone's video to everyone.</summary>
    public int ParticipantsPerMeeting { get; set; } = 50;

    /// <summary>Joins of one account or guest per minute: a flaky network rejoins a few times, a script hundreds.</summary>
    public int JoinsPerAttendeePerMinute { get; set; } = 20;

    /// <summary>
    /// Messages one socket may send per second, on average; twice that at once. A browser
    /// sends a few per negotiation, a handful of trickled candidates and nothing else.
    /// </summary>
    public int MessagesPerSecond { get; set; } = 20;

    /// <summary>The first value that makes no sense, or null.</summary>
    public string? Invalid() =>
        SocketsPerAttendee < 1 ? nameof(SocketsPerAttendee)
        : SocketsPerSource < 1 ? nameof(SocketsPerSource)
        : PeersPerAttendee < 1 ? nameof(PeersPerAttendee)
        : ParticipantsPerMeeting < 2 ? nameof(ParticipantsPerMeeting)
        : JoinsPerAttendeePerMinute < 1 ? nameof(JoinsPerAttendeePerMinute)
        : MessagesPerSecond < 1 ? nameof(MessagesPerSecond)
        : null;
}

/// <summary>
/// Counts what <see cref="SignallingLimitOptions"/> bounds: sockets per attendee and per
/// source network, media sessions per attendee, joins per attendee per minute. A lease
/// given out is returned by disposing it. Thread-safe.
/// </summary>
public sealed class SignallingQuotas(SignallingLimitOptions limits, TimeProvider time)
{
    /// <summary>Past this many people tracked, those who have not joined for a minute are forgotten.</summary>
    private const int StaleJoinSweepThreshold = 1_024;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, int> _socketsByAttendee = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _socketsBySource = new(StringComparer.Ordinal);
    private readonly Dictionary<string, int> _peersByAttendee = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Queue<DateTimeOffset>> _joinsByAttendee = new(StringComparer.Ordinal);

    public SignallingLimitOptions Limits { get; } = limits;

    /// <summary>A lease on one socket, or null when the attendee or their network holds too many.</summary>
    public IDisposable? TryOpenSocket(string attendeeKey, IPAddress? source)
    {
        string network = SourceNetwork.Of(source?.ToString() ?? "unknown");
        lock (_lock)
        {
            if (Count(_socketsByAttendee, attendeeKey) >= Limits.SocketsPerAttendee) return null;
            if (Count(_socketsBySource, network) >= Limits.SocketsPerSource) return null;
            Add(_socketsByAttendee, attendeeKey, +1);
            Add(_socketsBySource, network, +1);
        }
        return new Lease(() =>
        {
            lock (_lock)
            {
                Add(_socketsByAttendee, attendeeKey, -1);
                Add(_socketsBySource, network, -1);
            }
        });
    }

    /// <summary>Counts a join; false when the attendee joined too often in the last minute.</summary>
    public bool TryCountJoin(string attendeeKey)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            // Everyone who joined within the minute is remembered, nobody longer: the map is
            // bounded by the people of the last minute, not by everyone who ever joined.
            if (_joinsByAttendee.Count >= StaleJoinSweepThreshold) ForgetJoinsBefore(now - TimeSpan.FromMinutes(1));
            if (!_joinsByAttendee.TryGetValue(attendeeKey, out var joins)) _joinsByAttendee[attendeeKey] = joins = new Queue<DateTimeOffset>();
            while (joins.Count > 0 && now - joins.Peek() >= TimeSpan.FromMinutes(1)) joins.Dequeue();
            if (joins.Count >= Limits.JoinsPerAttendeePerMinute) return false;
            joins.Enqueue(now);
            return true;
        }
    }

    /// <summary>A lease on one media session, or null when the attendee holds too many.</summary>
    public IDisposable? TryAddPeer(string attendeeKey)
    {
        lock (_lock)
        {
            if (Count(_peersByAttendee, attendeeKey) >= Limits.PeersPerAttendee) return null;
            Add(_peersByAttendee, attendeeKey, +1);
        }
        return new Lease(() =>
        {
            lock (_lock) Add(_peersByAttendee, attendeeKey, -1);
        });
    }

    private void ForgetJoinsBefore(DateTimeOffset cutoff)
    {
        foreach (var (key, joins) in _joinsByAttendee)
        {
            if (joins.Count == 0 || joins.Last() < cutoff) _joinsByAttendee.Remove(key);
        }
    }

    private static int Count(Dictionary<string, int> counts, string key) => counts.GetValueOrDefault(key);

    /// <summary>Keeps only non-zero counts, so the maps hold what is open now and nothing more.</summary>
    private static void Add(Dictionary<string, int> counts, string key, int delta)
    {
        int value = counts.GetValueOrDefault(key) + delta;
        if (value <= 0) counts.Remove(key);
        else counts[key] = value;
    }

    private sealed class Lease(Action release) : IDisposable
    {
        private Action? _release = release;

        public void Dispose() => Interlocked.Exchange(ref _release, null)?.Invoke();
    }
}
