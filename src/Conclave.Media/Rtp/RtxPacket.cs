using System.Buffers.Binary;

namespace Conclave.Media.Rtp;

/// <summary>
/// Restores the original packet from an RTX packet (RFC 4588 §4): the RTX packet is the
/// original's header with the RTX stream's payload type, sequence number and SSRC, and a
/// payload that starts with the original sequence number (OSN):
/// <code>
/// | RTP header (RTX PT, RTX sequence number, timestamp, RTX SSRC) | OSN (16 bits) | original payload |
/// </code>
/// The timestamp, marker, CSRCs, extensions and padding are the original's already.
/// </summary>
public static class RtxPacket
{
    public const int OriginalSequenceNumberLength = 2;

    /// <summary>
    /// Rewrites <paramref name="rtx"/> in place into the original packet, which then starts
    /// at <paramref name="originalOffset"/>: the header takes the original payload type,
    /// the OSN as its sequence number and the original SSRC, and moves forward over the OSN
    /// (a header is a few dozen bytes; moving the payload back would copy a kilobyte).
    /// False, changing nothing, when the packet does not parse or its payload is too short
    /// to hold an OSN.
    /// </summary>
    public static bool TryRestoreInPlace(Span<byte> rtx, byte originalPayloadType, uint originalSsrc, out int originalOffset)
    {
        originalOffset = 0;
        if (!RtpPacket.TryParse(rtx, out var packet) || packet.Payload.Length < OriginalSequenceNumberLength) return false;
        int headerLength = packet.HeaderLength;
        ushort originalSequenceNumber = BinaryPrimitives.ReadUInt16BigEndian(rtx[headerLength..]);
        rtx[1] = (byte)((rtx[1] & 0x80) | (originalPayloadType & 0x7F));
        BinaryPrimitives.WriteUInt16BigEndian(rtx[2..], originalSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(rtx[8..], originalSsrc);
        rtx[..headerLength].CopyTo(rtx[OriginalSequenceNumberLength..]); // overlapping: CopyTo moves as memmove does
        originalOffset = OriginalSequenceNumberLength;
        return true;
    }
}
