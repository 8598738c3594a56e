using System.Buffers.Binary;
using Conclave.Media.Rtp;

namespace Conclave.Media.Rtcp;

/// <summary>Writes the RTCP packets the SFU originates, into caller-owned buffers.</summary>
public static class RtcpWriter
{
    /// <summary>RFC 4585 §6.1: the common header, the sender's SSRC and the media source's SSRC.</summary>
    private const int FeedbackHeaderLength = 12;

    /// <summary>RFC 4585 §6.2.1: PID (16 bits) and BLP (16 bits).</summary>
    private const int NackFciLength = 4;

    /// <summary>PLI (RFC 4585 §6.3.1): a feedback header and no FCI.</summary>
    public static bool TryWritePli(Span<byte> destination, uint senderSsrc, uint mediaSsrc, out int written) =>
        TryWriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.Pli, senderSsrc, mediaSsrc, 0, out written);

    /// <summary>
    /// Generic NACK (RFC 4585 §6.2.1): one FCI entry per run of lost packets, a packet ID
    /// and a bitmask (BLP) of which of the 16 after it are lost too. The sequence numbers
    /// must come in ascending order (across the 0xFFFF→0 wrap), as a receiver finds them.
    /// </summary>
    public static bool TryWriteNack(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lostSequenceNumbers, out int written)
    {
        written = 0;
        if (lostSequenceNumbers.IsEmpty) return false;
        int offset = FeedbackHeaderLength;
        int i = 0;
        while (i < lostSequenceNumbers.Length)
        {
            if (destination.Length < offset + NackFciLength) return false;
            ushort pid = lostSequenceNumbers[i++];
            ushort blp = 0;
            while (i < lostSequenceNumbers.Length)
            {
                int distance = SequenceNumber.Distance(pid, lostSequenceNumbers[i]);
                if (distance < 1 || distance > 16) break;
                blp |= (ushort)(1 << (distance - 1));
                i++;
            }
            BinaryPrimitives.WriteUInt16BigEndian(destination[offset..], pid);
            BinaryPrimitives.WriteUInt16BigEndian(destination[(offset + 2)..], blp);
            offset += NackFciLength;
        }
        return TryWriteFeedbackHeader(destination, RtcpPacketType.TransportFeedback, RtcpFeedbackFormat.Nack, senderSsrc, mediaSsrc,
            offset - FeedbackHeaderLength, out written);
    }

    internal static bool TryWriteFeedbackHeader(Span<byte> destination, byte packetType, byte fmt, uint senderSsrc, uint mediaSsrc, int fciLength, out int written)
    {
        written = 0;
        int length = FeedbackHeaderLength + fciLength;
        if (destination.Length < length || (fciLength & 3) != 0) return false;
        WriteCommonHeader(destination, fmt, packetType, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], mediaSsrc);
        written = length;
        return true;
    }

    internal static void WriteCommonHeader(Span<byte> destination, byte countOrFmt, byte packetType, int lengthInBytes)
    {
        destination[0] = (byte)(0x80 | (countOrFmt & 0x1F));
        destination[1] = packetType;
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], (ushort)(lengthInBytes / 4 - 1));
    }
}
