namespace Conclave.Meetings.Admission;

public enum LobbyOutcome
{
    Admitted,
    Denied,
    /// <summary>The meeting ended while they waited.</summary>
    MeetingEnded,
}

/// <summary>One person waiting: the signalling connection awaits <see cref="Outcome"/>.</summary>
public sealed class LobbyEntry(string id, string meetingId, Attendee attendee, DateTimeOffset since)
{
    private readonly TaskCompletionSource<LobbyOutcome> _outcome = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public string Id { get; } = id;
    public string MeetingId { get; } = meetingId;
    public Attendee Attendee { get; } = attendee;
    public DateTimeOffset Since { get; } = since;
    public Task<LobbyOutcome> Outcome => _outcome.Task;

    internal bool TryResolve(LobbyOutcome outcome) => _outcome.TrySetResult(outcome);
}

/// <summary>
/// Who waits for which meeting, in memory: a waiting browser holds an open signalling
/// connection, so after a restart nobody is waiting. Bounded per meeting.
/// </summary>
public sealed class Lobby
{
    public const int MaxWaitingPerMeeting = 50;

    private readonly Lock _lock = new();
    private readonly Dictionary<string, List<LobbyEntry>> _waiting = new(StringComparer.Ordinal);
    private long _nextId;

    /// <summary>Raised when someone starts or stops waiting (the console refreshes).</summary>
    public event Action<string>? Changed;

    internal LobbyEntry? Enter(string meetingId, Attendee attendee, DateTimeOffset now)
    {
        LobbyEntry entry;
        lock (_lock)
        {
            if (!_waiting.TryGetValue(meetingId, out var entries)) _waiting[meetingId] = entries = [];
            if (entries.Count >= MaxWaitingPerMeeting) return null;
            // The same person waiting twice (two tabs) is one entry: the older one is dropped as denied.
            foreach (var old in entries.Where(e => e.Attendee.Key == attendee.Key).ToList())
            {
                entries.Remove(old);
                old.TryResolve(LobbyOutcome.Denied);
            }
            entry = new LobbyEntry($"w{Interlocked.Increment(ref _nextId)}", meetingId, attendee, now);
            entries.Add(entry);
        }
        Changed?.Invoke(meetingId);
        return entry;
    }

    public IReadOnlyList<LobbyEntry> Waiting(string meetingId)
    {
        lock (_lock) return _waiting.TryGetValue(meetingId, out var entries) ? entries.ToList() : [];
    }

    internal LobbyEntry? Find(string meetingId, string entryId)
    {
        lock (_lock) return _waiting.TryGetValue(meetingId, out var entries) ? entries.FirstOrDefault(e => e.Id == entryId) : null;
    }

    internal void Resolve(LobbyEntry entry, LobbyOutcome outcome)
    {
        Remove(entry);
        entry.TryResolve(outcome);
    }

    /// <summary>The browser went away while waiting.</summary>
    public void Withdraw(LobbyEntry entry) => Resolve(entry, LobbyOutcome.Denied);

    internal void ResolveAll(string meetingId, LobbyOutcome outcome)
    {
        foreach (var entry in Waiting(meetingId)) Resolve(entry, outcome);
    }

    /// <summary>Ends the wait of every entry of one person (every tab they have open).</summary>
    internal void ResolveAll(string meetingId, string attendeeKey, LobbyOutcome outcome)
    {
        foreach (var entry in Waiting(meetingId))
        {
            if (entry.Attendee.Key == attendeeKey) Resolve(entry, outcome);
        }
    }

    private void Remove(LobbyEntry entry)
    {
        bool removed;
        lock (_lock)
        {
            removed = _waiting.TryGetValue(entry.MeetingId, out var entries) && entries.Remove(entry);
            if (removed && entries!.Count == 0) _waiting.Remove(entry.MeetingId);
        }
        if (removed) Changed?.Invoke(entry.MeetingId);
    }
}
