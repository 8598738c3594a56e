using Conclave.Media.Diagnostics;

namespace Conclave.Media.Sfu;

/// <summary>A snapshot of the media plane, taken on the loop thread.</summary>
public sealed record MediaPlaneStats(IReadOnlyList<RoomStats> Rooms, IReadOnlyDictionary<DropReason, long> Drops)
{
    internal static MediaPlaneStats Capture(IEnumerable<Room> rooms, DropCounters drops)
    {
        var roomStats = new List<RoomStats>();
        foreach (var room in rooms)
        {
            var peers = new List<PeerStats>();
            foreach (var peer in room.Peers)
            {
                long sent = 0, bytesSent = 0;
                foreach (var consumer in peer.Consumers)
                {
                    sent += consumer.PacketsSent;
                    bytesSent += consumer.BytesSent;
                }
                long bytesPublished = (peer.AudioProducer?.BytesReceived ?? 0) + (peer.VideoProducer?.BytesReceived ?? 0);
                peers.Add(new PeerStats(peer.Id, peer.IsConnected,
                    peer.AudioProducer?.PacketsReceived ?? 0, peer.VideoProducer?.PacketsReceived ?? 0, sent, bytesPublished, bytesSent));
            }
            roomStats.Add(new RoomStats(room.Id, peers));
        }
        return new MediaPlaneStats(roomStats, drops.Snapshot());
    }
}

public sealed record RoomStats(string RoomId, IReadOnlyList<PeerStats> Peers);

/// <param name="PacketsForwardedTo">RTP packets sent to this peer from everyone else's streams.</param>
/// <param name="BytesPublished">RTP bytes this peer published (audio and video); two snapshots give a bitrate.</param>
/// <param name="BytesForwardedTo">RTP bytes sent to this peer.</param>
public sealed record PeerStats(string PeerId, bool Connected, long AudioPacketsPublished, long VideoPacketsPublished, long PacketsForwardedTo,
    long BytesPublished, long BytesForwardedTo);
