using Conclave.Media.Rtp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// One SSRC's packets in sending order: sorted by extended sequence number (RFC 3550 §A.1, the
/// 16-bit number unrolled against the highest seen so far) with duplicates dropped, so the
/// network's reordering and the sender's retransmissions reach the depacketizer as sent.
/// </summary>
internal sealed class OrderedRtpStream
{
    private OrderedRtpStream(uint ssrc, int[] packetIndices, long[] extendedSequences)
    {
        Ssrc = ssrc;
        PacketIndices = packetIndices;
        ExtendedSequences = extendedSequences;
    }

    public uint Ssrc { get; }

    /// <summary>Indices into the recorded list, in sequence order.</summary>
    public int[] PacketIndices { get; }

    /// <summary>The extended sequence number of each entry of <see cref="PacketIndices"/>, strictly increasing.</summary>
    public long[] ExtendedSequences { get; }

    public int Count => PacketIndices.Length;

    /// <summary>
    /// One stream per SSRC, in order of first arrival; packets that are not RTP (RFC 3550 §5.1)
    /// are left out, and so count as lost.
    /// </summary>
    public static List<OrderedRtpStream> Split(IReadOnlyList<RecordedRtp> packets)
    {
        var streams = new List<OrderedRtpStream>();
        var indicesBySsrc = new Dictionary<uint, List<int>>();
        var ssrcs = new List<uint>();
        for (int i = 0; i < packets.Count; i++)
        {
            if (!RtpPacket.TryParse(packets[i].RtpPacket, out var rtp)) continue;
            if (!indicesBySsrc.TryGetValue(rtp.Ssrc, out var indices))
            {
                indicesBySsrc.Add(rtp.Ssrc, indices = []);
                ssrcs.Add(rtp.Ssrc);
            }
            indices.Add(i);
        }
        foreach (uint ssrc in ssrcs) streams.Add(Order(ssrc, packets, indicesBySsrc[ssrc]));
        return streams;
    }

    private static OrderedRtpStream Order(uint ssrc, IReadOnlyList<RecordedRtp> packets, List<int> arrivalOrder)
    {
        // Each key is the extended sequence number above the arrival rank, so one sort orders
        // by sequence and, of two copies of one packet, puts the first to arrive first.
        var keys = new long[arrivalOrder.Count];
        long highest = 0;
        for (int rank = 0; rank < keys.Length; rank++)
        {
            ushort sequence = ReadSequence(packets[arrivalOrder[rank]]);
            long extended = rank == 0 ? sequence : highest + SequenceNumber.Distance((ushort)highest, sequence);
            if (rank == 0 || extended > highest) highest = extended;
            keys[rank] = extended << 32 | (uint)rank;
        }
        Array.Sort(keys);
        var indices = new int[keys.Length];
        var extendedSequences = new long[keys.Length];
        int kept = 0;
        foreach (long key in keys)
        {
            long extended = key >> 32;
            if (kept > 0 && extended == extendedSequences[kept - 1]) continue;
            extendedSequences[kept] = extended;
            indices[kept] = arrivalOrder[(int)(uint)key];
            kept++;
        }
        return new OrderedRtpStream(ssrc, indices[..kept], extendedSequences[..kept]);
    }

    private static ushort ReadSequence(RecordedRtp packet)
    {
        RtpPacket.TryParse(packet.RtpPacket, out var rtp);
        return rtp.SequenceNumber;
    }
}
