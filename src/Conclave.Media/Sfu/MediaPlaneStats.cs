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
                var audio = peer.ProducerOf(MediaSource.Microphone);
                Producer? camera = peer.ProducerOf(MediaSource.Camera), screen = peer.ProducerOf(MediaSource.Screen);
                var videoLoss = new PublishedLossStats((camera?.NacksSent ?? 0) + (screen?.NacksSent ?? 0),
                    (camera?.PacketsNacked ?? 0) + (screen?.PacketsNacked ?? 0),
                    (camera?.PacketsRecovered ?? 0) + (screen?.PacketsRecovered ?? 0),
                    (camera?.PacketsGivenUp ?? 0) + (screen?.PacketsGivenUp ?? 0));
                var forwarded = peer.Forwarded;
                peers.Add(new PeerStats(peer.Id, peer.IsConnected, audio?.PacketsReceived ?? 0,
                    (camera?.PacketsReceived ?? 0) + (screen?.PacketsReceived ?? 0), forwarded.Packets, peer.Published.Bytes, forwarded.Bytes, videoLoss));
            }
            roomStats.Add(new RoomStats(room.Id, peers, room.Forwarded, room.Published, room.Drops.Snapshot()));
        }
        return new MediaPlaneStats(roomStats, drops.Snapshot());
    }
}

/// <param name="Forwarded">RTP sent to the room's subscribers since it opened, departed ones included: only ever rises.</param>
/// <param name="Published">RTP taken from the room's publishers for relaying since it opened (drops not included), departed ones included.</param>
/// <param name="Drops">Packets of the room's peers dropped, by reason (those dropped before ICE tied them to a peer count only plane-wide).</param>
public sealed record RoomStats(string RoomId, IReadOnlyList<PeerStats> Peers, RtpTraffic Forwarded, RtpTraffic Published, IReadOnlyDictionary<DropReason, long> Drops);

/// <param name="PacketsForwardedTo">RTP packets sent to this peer from everyone else's streams since it joined.</param>
/// <param name="VideoPacketsPublished">Its camera's and screen's packets, while each is published.</param>
/// <param name="BytesPublished">RTP bytes this peer published since it joined (every source); two snapshots give a bitrate.</param>
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
