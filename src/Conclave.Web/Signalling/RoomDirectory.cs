namespace Conclave.Web.Signalling;

/// <summary>
/// Who is in which room, as signalling sees it: display names and the connections to
/// tell when someone comes or goes. (Media routing lives in Conclave.Media's Room.)
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
}
