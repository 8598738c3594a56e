using System.Buffers.Binary;

namespace Conclave.Media.Rtp;

/// <summary>Writes RTP packets the SFU sends, into caller-owned buffers.</summary>
public static class RtpWriter
{
    /// <summary>
    /// Copies <paramref name="rtp"/> without its header extension (X cleared) and
    /// without padding. The SFU forwards this way: the publisher's extension values
    /// (transport-wide sequence numbers) mean nothing on another hop.
    /// </summary>
    public static bool TryWriteWithoutExtensions(ReadOnlySpan<byte> rtp, Span<byte> destination, out int written)
    {
        written = 0;
        if (!RtpPacket.TryParse(rtp, out var packet)) return false;
        int fixedAndCsrcs = RtpPacket.FixedHeaderLength + 4 * packet.CsrcCount;
        var payload = packet.Payload;
        int length = fixedAndCsrcs + payload.Length;
        if (destination.Length < length) return false;
        rtp[..fixedAndCsrcs].CopyTo(destination);
        destination[0] &= 0xCF; // clear P and X
        payload.CopyTo(destination[fixedAndCsrcs..]);
        written = length;
        return true;
    }

    /// <summary>
    /// An RTX packet for <paramref name="original"/> (RFC 4588 §4): the original header
    /// with the RTX payload type, SSRC and sequence number, no extensions, and a payload
    /// of the original sequence number followed by the original payload.
    /// </summary>
    public static bool TryWriteRtx(ReadOnlySpan<byte> original, byte rtxPayloadType, uint rtxSsrc, ushort rtxSequenceNumber, Span<byte> destination, out int written)
    {
        written = 0;
        if (!RtpPacket.TryParse(original, out var packet)) return false;
        int fixedAndCsrcs = RtpPacket.FixedHeaderLength + 4 * packet.CsrcCount;
        var payload = packet.Payload;
        int length = fixedAndCsrcs + 2 + payload.Length;
        if (destination.Length < length) return false;
        original[..fixedAndCsrcs].CopyTo(destination);
        destination[0] &= 0xCF;
        destination[1] = (byte)((destination[1] & 0x80) | (rtxPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], rtxSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], rtxSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(destination[fixedAndCsrcs..], packet.SequenceNumber);
        payload.CopyTo(destination[(fixedAndCsrcs + 2)..]);
        written = length;
        return true;
    }

    /// <summary>A fixed header (no CSRC) followed by <paramref name="payload"/>.</summary>
    public static bool TryWritePacket(Span<byte> destination, bool marker, byte payloadType, ushort sequenceNumber, uint timestamp, uint ssrc, ReadOnlySpan<byte> payload, out int written)
    {
        written = 0;
        int length = RtpPacket.FixedHeaderLength + payload.Length;
        if (destination.Length < length) return false;
        destination[0] = 0x80;
        destination[1] = (byte)((marker ? 0x80 : 0) | (payloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], timestamp);
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ssrc);
        payload.CopyTo(destination[RtpPacket.FixedHeaderLength..]);
        written = length;
        return true;
    }
}
