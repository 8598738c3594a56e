using Conclave.Media.Sfu;

namespace Conclave.Web.E2ee;

/// <summary>What the Delivery Service tells the SFU about a room's MLS group (docs/signalling.md, "Delivery Service").</summary>
public interface IRoomMediaControl
{
    /// <summary>A key frame from every video publisher of the room: a new member can decode nothing before one.</summary>
    void RequestKeyFrames(string roomId);

    /// <summary>The room's current epoch, whose low bits the SFU expects in each SFrame header's KID (RFC 9605 §5.2).</summary>
    void SetRoomEpoch(string roomId, ulong epoch);
}

/// <summary>The SFU itself; both calls post to its media loop and return at once.</summary>
internal sealed class MediaPlaneRoomControl(MediaPlane plane) : IRoomMediaControl
{
    public void RequestKeyFrames(string roomId) => plane.RequestKeyFrames(roomId);

    public void SetRoomEpoch(string roomId, ulong epoch) => plane.SetRoomEpoch(roomId, epoch);
}
