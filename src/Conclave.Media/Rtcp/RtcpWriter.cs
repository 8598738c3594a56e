using System.Buffers.Binary;

namespace Conclave.Media.Rtcp;

/// <summary>Writes the RTCP packets the SFU originates, into caller-owned buffers.</summary>
public static class RtcpWriter
{
    /// <summary>PLI (RFC 4585 §6.3.1): a feedback header and no FCI.</summary>
    public static bool TryWritePli(Span<byte> destination, uint senderSsrc, uint mediaSsrc, out int written) =>
        TryWriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.Pli, senderSsrc, mediaSsrc, 0, out written);

    internal static bool TryWriteFeedbackHeader(Span<byte> destination, byte packetType, byte fmt, uint senderSsrc, uint mediaSsrc, int fciLength, out int written)
    {
        written = 0;
        int length = 12 + fciLength;
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
