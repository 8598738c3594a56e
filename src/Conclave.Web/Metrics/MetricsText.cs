using System.Globalization;
using System.Text;
using Conclave.Media.Sfu;

namespace Conclave.Web.Metrics;

/// <summary>
/// The Prometheus text exposition format, version 0.0.4: a HELP and a TYPE line per metric,
/// then one sample per line. Room counters only rise while the room is open (departed peers
/// included); a room that closes leaves the output.
/// </summary>
public static class MetricsText
{
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    public static string Format(MediaPlaneStats stats)
    {
        var text = new StringBuilder();
        Family(text, "conclave_rooms", "gauge", "Rooms with media open on this appliance.");
        Sample(text, "conclave_rooms", null, stats.Rooms.Count);
        Family(text, "conclave_room_peers", "gauge", "Media sessions (peers) in the room.");
        foreach (var room in stats.Rooms) Sample(text, "conclave_room_peers", Room(room), room.Peers.Count);
        RoomTraffic(text, stats, "forwarded", "sent to the room's subscribers", room => room.Forwarded);
        RoomTraffic(text, stats, "published", "taken from the room's publishers for relaying", room => room.Published);
        Family(text, "conclave_room_drops_total", "counter", "Packets of the room's peers dropped, by reason.");
        foreach (var room in stats.Rooms)
        {
            foreach (var (reason, count) in room.Drops) Sample(text, "conclave_room_drops_total", $"{Room(room)},reason=\"{reason}\"", count);
        }
        Family(text, "conclave_drops_total", "counter", "Packets dropped on the media port, by reason, rooms or not (before ICE a packet has no room).");
        foreach (var (reason, count) in stats.Drops) Sample(text, "conclave_drops_total", $"reason=\"{reason}\"", count);
        return text.ToString();
    }

    private static void RoomTraffic(StringBuilder text, MediaPlaneStats stats, string direction, string meaning, Func<RoomStats, RtpTraffic> select)
    {
        string packets = $"conclave_rtp_{direction}_packets_total", bytes = $"conclave_rtp_{direction}_bytes_total";
        Family(text, packets, "counter", $"RTP packets {meaning} since the room opened.");
        foreach (var room in stats.Rooms) Sample(text, packets, Room(room), select(room).Packets);
        Family(text, bytes, "counter", $"RTP bytes (header and payload, before SRTP's tag) {meaning} since the room opened.");
        foreach (var room in stats.Rooms) Sample(text, bytes, Room(room), select(room).Bytes);
    }

    private static void Family(StringBuilder text, string name, string type, string help) =>
        text.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n')
            .Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');

    private static void Sample(StringBuilder text, string name, string? labels, long value)
    {
        text.Append(name);
        if (labels is not null) text.Append('{').Append(labels).Append('}');
        text.Append(' ').Append(value.ToString(CultureInfo.InvariantCulture)).Append('\n');
    }

    /// <summary>A label value escapes backslash, double quote and line feed (the format's only escapes).</summary>
    private static string Room(RoomStats room) =>
        $"room=\"{room.RoomId.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)}\"";
}
