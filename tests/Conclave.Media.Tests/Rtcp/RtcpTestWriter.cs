using System.Buffers.Binary;
using Conclave.Media.Rtcp;

namespace Conclave.Media.Tests.Rtcp;

/// <summary>
/// Writes the RTCP packets a browser sends (RFC 3550 §6.4–6.6, RFC 4585 §6.2–6.3,
/// RFC 5104 §4.3.1, REMB): the oracle tests build what the appliance's readers and the
/// SFU must handle with. Kept apart from <see cref="RtcpWriter"/>, which writes only
/// what the SFU originates.
/// </summary>
internal static class RtcpTestWriter
{
    /// <summary>FIR (RFC 5104 §4.3.1): media SSRC 0, one FCI entry naming the stream.</summary>
    public static bool TryWriteFir(Span<byte> destination, uint senderSsrc, uint mediaSsrc, byte commandSequence, out int written)
    {
        if (!TryWriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.Fir, senderSsrc, 0, 8, out written)) return false;
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], mediaSsrc);
        destination[16] = commandSequence;
        destination.Slice(17, 3).Clear();
        return true;
    }

    /// <summary>Generic NACK (RFC 4585 §6.2.1): the SFU writes these to publishers itself, so the browser's are the same.</summary>
    public static bool TryWriteNack(Span<byte> destination, uint senderSsrc, uint mediaSsrc, ReadOnlySpan<ushort> lostSequenceNumbers, out int written) =>
        RtcpWriter.TryWriteNack(destination, senderSsrc, mediaSsrc, lostSequenceNumbers, out written);

    /// <summary>REMB (draft-alvestrand-rmcat-remb-03 §2.2) with the bitrate as 6-bit exponent and 18-bit mantissa.</summary>
    public static bool TryWriteRemb(Span<byte> destination, uint senderSsrc, ulong bitrateBps, ReadOnlySpan<uint> ssrcs, out int written)
    {
        written = 0;
        int fci = 8 + 4 * ssrcs.Length;
        if (ssrcs.Length > 255 || !TryWriteFeedbackHeader(destination, RtcpPacketType.PayloadFeedback, RtcpFeedbackFormat.ApplicationLayer, senderSsrc, 0, fci, out written)) return false;
        int exponent = 0;
        while (bitrateBps >> exponent > 0x3FFFF) exponent++;
        ulong mantissa = bitrateBps >> exponent;
        "REMB"u8.CopyTo(destination[12..]);
        destination[16] = (byte)ssrcs.Length;
        destination[17] = (byte)((exponent << 2) | (int)(mantissa >> 16));
        destination[18] = (byte)(mantissa >> 8);
        destination[19] = (byte)mantissa;
        for (int i = 0; i < ssrcs.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(20 + 4 * i)..], ssrcs[i]);
        return true;
    }

    /// <summary>RR (RFC 3550 §6.4.2) with up to 31 report blocks.</summary>
    public static bool TryWriteReceiverReport(Span<byte> destination, uint senderSsrc, ReadOnlySpan<ReportBlock> blocks, out int written)
    {
        written = 0;
        int length = 8 + blocks.Length * ReportBlock.Length;
        if (blocks.Length > 31 || destination.Length < length) return false;
        WriteCommonHeader(destination, (byte)blocks.Length, RtcpPacketType.ReceiverReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        for (int i = 0; i < blocks.Length; i++) blocks[i].Write(destination.Slice(8 + i * ReportBlock.Length, ReportBlock.Length));
        written = length;
        return true;
    }

    /// <summary>SR (RFC 3550 §6.4.1) without report blocks.</summary>
    public static bool TryWriteSenderReport(Span<byte> destination, uint senderSsrc, ulong ntpTimestamp, uint rtpTimestamp, uint packetCount, uint octetCount, out int written)
    {
        written = 0;
        const int length = 28;
        if (destination.Length < length) return false;
        WriteCommonHeader(destination, 0, RtcpPacketType.SenderReport, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], senderSsrc);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], ntpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], rtpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], packetCount);
        BinaryPrimitives.WriteUInt32BigEndian(destination[24..], octetCount);
        written = length;
        return true;
    }

    /// <summary>SDES (RFC 3550 §6.5) with one chunk holding a CNAME, null-terminated and padded to 32 bits.</summary>
    public static bool TryWriteSdesCname(Span<byte> destination, uint ssrc, ReadOnlySpan<byte> cname, out int written)
    {
        written = 0;
        if (cname.Length > 255) return false;
        int chunk = 4 + 2 + cname.Length;
        int padded = (chunk + 4) & ~3; // at least one null octet ends the item list
        int length = 4 + padded;
        if (destination.Length < length) return false;
        WriteCommonHeader(destination, 1, RtcpPacketType.SourceDescription, length);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], ssrc);
        destination[8] = 1;
        destination[9] = (byte)cname.Length;
        cname.CopyTo(destination[10..]);
        destination[(10 + cname.Length)..length].Clear();
        written = length;
        return true;
    }

    /// <summary>BYE (RFC 3550 §6.6) for up to 31 sources, no reason.</summary>
    public static bool TryWriteBye(Span<byte> destination, ReadOnlySpan<uint> ssrcs, out int written)
    {
        written = 0;
        int length = 4 + 4 * ssrcs.Length;
        if (ssrcs.Length > 31 || destination.Length < length) return false;
        WriteCommonHeader(destination, (byte)ssrcs.Length, RtcpPacketType.Goodbye, length);
        for (int i = 0; i < ssrcs.Length; i++) BinaryPrimitives.WriteUInt32BigEndian(destination[(4 + 4 * i)..], ssrcs[i]);
        written = length;
        return true;
    }

    private static bool TryWriteFeedbackHeader(Span<byte> destination, byte packetType, byte fmt, uint senderSsrc, uint mediaSsrc, int fciLength, out int written) =>
        RtcpWriter.TryWriteFeedbackHeader(destination, packetType, fmt, senderSsrc, mediaSsrc, fciLength, out written);

    private static void WriteCommonHeader(Span<byte> destination, byte countOrFmt, byte packetType, int lengthInBytes) =>
        RtcpWriter.WriteCommonHeader(destination, countOrFmt, packetType, lengthInBytes);
}
