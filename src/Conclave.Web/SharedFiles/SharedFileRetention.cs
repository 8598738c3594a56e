using Conclave.Meetings.SharedFiles;
using Conclave.Web.Signalling;

namespace Conclave.Web.SharedFiles;

/// <summary>A meeting's shared files are kept while its room has people, and their retention starts when it empties.</summary>
internal sealed class SharedFileRetention(SharedFileService files) : IRoomOccupancyObserver
{
    public void RoomOccupied(string room) => files.RoomOccupied(room);

    public void RoomEmptied(string room) => files.RoomEmptied(room);
}
