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
                var audio = peer.ProducerOf(MediaSource.Microphone);
                Producer? camera = peer.ProducerOf(MediaSource.Camera), screen = peer.ProducerOf(MediaSource.Screen);
                long bytesPublished = (audio?.BytesReceived ?? 0) + (camera?.BytesReceived ?? 0) + (screen?.BytesReceived ?? 0);
                var videoLoss = new PublishedLossStats((camera?.NacksSent ?? 0) + (screen?.NacksSent ?? 0),
                    (camera?.PacketsNacked ?? 0) + (screen?.PacketsNacked ?? 0),
                    (camera?.PacketsRecovered ?? 0) + (screen?.PacketsRecovered ?? 0),
                    (camera?.PacketsGivenUp ?? 0) + (screen?.PacketsGivenUp ?? 0));
                peers.Add(new PeerStats(peer.Id, peer.IsConnected, audio?.PacketsReceived ?? 0,
                    (camera?.PacketsReceived ?? 0) + (screen?.PacketsReceived ?? 0), sent, bytesPublished, bytesSent, videoLoss));
            }
            roomStats.Add(new RoomStats(room.Id, peers));
        }
        return new MediaPlaneStats(roomStats, drops.Snapshot());
    }
}

public sealed record RoomStats(string RoomId, IReadOnlyList<PeerStats> Peers);

/// <param name="PacketsForwardedTo">RTP packets sent to this peer from everyone else's streams.</param>
/// <param name="VideoPacketsPublished">Its camera's and screen's packets, while each is published.</param>
/// <param name="BytesPublished">RTP bytes this peer publishes now (audio and video); two snapshots give a bitrate.</param>
/// <param name="BytesForwardedTo">RTP bytes sent to this peer.</param>
/// <param name="VideoLoss">Loss of this peer's published video (camera and screen) on its way to the appliance, and its repair.</param>
public sealed record PeerStats(string PeerId, bool Connected, long AudioPacketsPublished, long VideoPacketsPublished, long PacketsForwardedTo,
    long BytesPublished, long BytesForwardedTo, PublishedLossStats VideoLoss);

/// <summary>What the appliance's generic NACKs to a publisher (RFC 4585 §6.2.1) asked for and got back by RTX (RFC 4588).</summary>
/// <param name="NacksSent">NACK packets sent to the publisher.</param>
/// <param name="PacketsNacked">Sequence numbers they asked for, each ask counted (a packet is asked at most 3 times).</param>
/// <param name="PacketsRecovered">Lost packets that came back as RTX and were forwarded.</param>
/// <param name="PacketsGivenUp">Lost packets no longer waited for: unanswered for 1 s, or beyond the NACK budget.</param>
public sealed record PublishedLossStats(long NacksSent, long PacketsNacked, long PacketsRecovered, long PacketsGivenUp);
