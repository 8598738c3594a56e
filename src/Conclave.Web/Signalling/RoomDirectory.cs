using Conclave.Meetings.Admission;
using Conclave.Web.E2ee;

namespace Conclave.Web.Signalling;

/// <summary>Someone in a room right now, as the console lists them.</summary>
public sealed record LiveParticipant(string ParticipantId, Attendee Attendee);

/// <summary>
/// Who is in which room, as signalling sees it: the connections to tell when someone
/// comes or goes, and to close when the host removes someone or ends the meeting; and each
/// room's MLS <see cref="DeliveryService"/>, which lives exactly as long as the room has
/// someone in it; and who presents a screen (<see cref="Presentation"/>). (Media routing lives in
/// Conclave.Media's Room.) Whoever keeps things for as long as a room has people (shared files)
/// hears when it fills and empties through <see cref="IRoomOccupancyObserver"/>.
/// </summary>
public sealed class RoomDirectory(IRoomMediaControl media, TimeProvider time, IRoomEpochObserver? epochs = null, IRoomOccupancyObserver? occupancy = null)
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, RoomEntry> _rooms = new(StringComparer.Ordinal);

    private sealed class RoomEntry(DeliveryService delivery)
    {
        public Dictionary<string, SignallingConnection> Members { get; } = new(StringComparer.Ordinal);
        public DeliveryService Delivery { get; } = delivery;
        public Presentation Presentation { get; } = new();
    }

    /// <summary>Adds a participant; returns those already there and the room's Delivery Service.</summary>
    internal (IReadOnlyList<SignallingConnection> Others, DeliveryService Delivery) Enter(string room, string participantId, SignallingConnection connection)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var entry))
            {
                entry = new RoomEntry(new DeliveryService(room, media, time, epochs));
                _rooms.Add(room, entry);
                occupancy?.RoomOccupied(room);
            }
            var others = entry.Members.Values.ToList();
            entry.Members[participantId] = connection;
            return (others, entry.Delivery);
        }
    }

    /// <summary>
    /// Removes a participant and returns those who remain; <c>Emptied</c> when it was the last,
    /// and the room (with its Delivery Service, for the caller to dispose) is gone.
    /// </summary>
    internal (IReadOnlyList<SignallingConnection> Remaining, bool Emptied) Leave(string room, string participantId)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var entry) || !entry.Members.Remove(participantId)) return ([], false);
            if (entry.Members.Count > 0)
            {
                if (entry.Presentation.End(participantId)) BroadcastPresenter(entry);
                return (entry.Members.Values.ToList(), false);
            }
            _rooms.Remove(room);
            occupancy?.RoomEmptied(room);
            return ([], true);
        }
    }

    /// <summary>
    /// Decides a share-start (<see cref="Presentation"/>) and, under the same lock, tells the
    /// SFU and the room: a replaced presenter's screen stops, the asker may publish one, and
    /// everyone hears <c>presenter</c>. Commands reach the media loop in the order decided.
    /// </summary>
    internal ShareDecision StartSharing(string room, SignallingConnection asker, bool isHost)
    {
        lock (_lock)
        {
            if (asker.ParticipantId is not { } participantId || !_rooms.TryGetValue(room, out var entry)) return ShareDecision.Busy;
            var decision = entry.Presentation.Start(participantId, isHost, out string? previous);
            if (decision is not (ShareDecision.Started or ShareDecision.TookOver)) return decision;
            if (previous is not null && entry.Members.TryGetValue(previous, out var replaced)) replaced.AllowScreen(false);
            asker.AllowScreen(true);
            BroadcastPresenter(entry);
            return decision;
        }
    }

    /// <summary>A share-stop: ends the participant's presentation if it is the one on; false when it was not.</summary>
    internal bool StopSharing(string room, SignallingConnection asker)
    {
        lock (_lock)
        {
            if (asker.ParticipantId is not { } participantId || !_rooms.TryGetValue(room, out var entry) || !entry.Presentation.End(participantId)) return false;
            asker.AllowScreen(false);
            BroadcastPresenter(entry);
            return true;
        }
    }

    /// <summary>Who presents in the room now; null when nobody does.</summary>
    internal string? Presenter(string room)
    {
        lock (_lock) return _rooms.TryGetValue(room, out var entry) ? entry.Presentation.PresenterId : null;
    }

    private static void BroadcastPresenter(RoomEntry entry)
    {
        byte[] json = new ServerMessage.Presenter(entry.Presentation.PresenterId).ToUtf8Json();
        foreach (var member in entry.Members.Values) member.Send(json);
    }

    /// <summary>The room's Delivery Service, or null when nobody is in it.</summary>
    public DeliveryService? Delivery(string room)
    {
        lock (_lock) return _rooms.TryGetValue(room, out var entry) ? entry.Delivery : null;
    }

    /// <summary>The connections in the room now (to tell them something).</summary>
    internal IReadOnlyList<SignallingConnection> Connections(string room)
    {
        lock (_lock) return _rooms.TryGetValue(room, out var entry) ? entry.Members.Values.ToList() : [];
    }

    public int ParticipantCount(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var entry) ? entry.Members.Count : 0;
        }
    }

    public IReadOnlyList<string> Rooms()
    {
        lock (_lock) return _rooms.Keys.ToList();
    }

    public IReadOnlyList<LiveParticipant> Participants(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var entry)
                ? entry.Members.Select(m => new LiveParticipant(m.Key, m.Value.Attendee)).ToList()
                : [];
        }
    }

    /// <summary>Closes the connections of one attendee (every tab they have open); returns how many.</summary>
    public int Disconnect(string room, string attendeeKey, RefusalCode refusal, string message)
    {
        List<SignallingConnection> closing;
        lock (_lock)
        {
            closing = _rooms.TryGetValue(room, out var entry) ? entry.Members.Values.Where(c => c.Attendee.Key == attendeeKey).ToList() : [];
        }
        foreach (var connection in closing) connection.Close(refusal, message);
        return closing.Count;
    }

    public void DisconnectAll(string room, RefusalCode refusal, string message)
    {
        List<SignallingConnection> closing;
        lock (_lock)
        {
            closing = _rooms.TryGetValue(room, out var entry) ? entry.Members.Values.ToList() : [];
        }
        foreach (var connection in closing) connection.Close(refusal, message);
    }
}
