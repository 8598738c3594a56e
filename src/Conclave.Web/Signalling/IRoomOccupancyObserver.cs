namespace Conclave.Web.Signalling;

/// <summary>
/// Told when a room gets its first participant and when its last one leaves (the host ending the
/// meeting closes everyone, so that is the last leaving too). Called under the room directory's
/// lock, so the two never arrive out of order for one room.
/// </summary>
public interface IRoomOccupancyObserver
{
    void RoomOccupied(string room);

    void RoomEmptied(string room);
}
