using Conclave.Meetings.Admission;

namespace Conclave.Web.Signalling;

/// <summary>Someone in a room right now, as the console lists them.</summary>
public sealed record LiveParticipant(string ParticipantId, Attendee Attendee);

/// <summary>
/// Who is in which room, as signalling sees it: the connections to tell when someone
/// comes or goes, and to close when the host removes someone or ends the meeting.
/// (Media routing lives in Conclave.Media's Room.)
/// </summary>
public sealed class RoomDirectory
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, Dictionary<string, SignallingConnection>> _rooms = new(StringComparer.Ordinal);

    /// <summary>Adds a participant and returns those already there.</summary>
    internal IReadOnlyList<SignallingConnection> Enter(string room, string participantId, SignallingConnection connection)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var members))
            {
                members = new Dictionary<string, SignallingConnection>(StringComparer.Ordinal);
                _rooms.Add(room, members);
            }
            var others = members.Values.ToList();
            members[participantId] = connection;
            return others;
        }
    }

    /// <summary>Removes a participant and returns those who remain.</summary>
    internal IReadOnlyList<SignallingConnection> Leave(string room, string participantId)
    {
        lock (_lock)
        {
            if (!_rooms.TryGetValue(room, out var members) || !members.Remove(participantId)) return [];
            if (members.Count == 0) _rooms.Remove(room);
            return members.Values.ToList();
        }
    }

    public int ParticipantCount(string room)
    {
        lock (_lock)
        {
            return _rooms.TryGetValue(room, out var members) ? members.Count : 0;
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
            return _rooms.TryGetValue(room, out var members)
                ? members.Select(m => new LiveParticipant(m.Key, m.Value.Attendee)).ToList()
                : [];
        }
    }

    /// <summary>Closes the connections of one attendee (every tab they have open); returns how many.</summary>
    public int Disconnect(string room, string attendeeKey, RefusalCode refusal, string message)
    {
        List<SignallingConnection> closing;
        lock (_lock)
        {
            closing = _rooms.TryGetValue(room, out var members) ? members.Values.Where(c => c.Attendee.Key == attendeeKey).ToList() : [];
        }
        foreach (var connection in closing) connection.Close(refusal, message);
        return closing.Count;
    }

    public void DisconnectAll(string room, RefusalCode refusal, string message)
    {
        List<SignallingConnection> closing;
        lock (_lock)
        {
            closing = _rooms.TryGetValue(room, out var members) ? members.Values.ToList() : [];
        }
        foreach (var connection in closing) connection.Close(refusal, message);
    }
}
