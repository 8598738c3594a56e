using System.Buffers.Binary;
using Conclave.Media.Rtp;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// A decrypted RTP packet from a participant. What parses has its header extensions read
/// as the SFU does; copied without extensions, as an RTX packet, and rewritten from its
/// fields, it parses again with the same header fields and payload.
/// </summary>
public static class RtpTarget
{
    private const byte RtxPayloadType = 97;
    private const uint RtxSsrc = 0x5EED5EED;
    private const ushort RtxSequenceNumber = 0xFFFE;

    public static void Run(ReadOnlySpan<byte> packet)
    {
        var buffer = new byte[packet.Length + 2];
        if (!RtpPacket.TryParse(packet, out var rtp))
        {
            Invariant.Holds(!RtpWriter.TryWriteWithoutExtensions(packet, buffer, out _), "a writer accepted what does not parse");
            return;
        }
        Invariant.Holds(rtp.HeaderLength >= RtpPacket.FixedHeaderLength + 4 * rtp.CsrcCount, "the header is shorter than its CSRCs");
        Invariant.Holds(rtp.HeaderLength + rtp.Payload.Length + rtp.PaddingLength == packet.Length, "header, payload and padding do not add up to the packet");
        Invariant.Holds(rtp.HasExtension == ((packet[0] & 0x10) != 0), "an extension without X, or X without one");
        ReadExtensions(packet, rtp);
        WithoutExtensionsRoundTrip(packet, rtp, buffer);
        RtxRoundTrip(packet, rtp, buffer);
        var rewritten = new byte[RtpPacket.FixedHeaderLength + rtp.Payload.Length];
        Invariant.Holds(RtpWriter.TryWritePacket(rewritten, rtp.Marker, rtp.PayloadType, rtp.SequenceNumber, rtp.Timestamp, rtp.Ssrc, rtp.Payload, out int length), "TryWritePacket refused a large enough buffer");
        Invariant.Holds(RtpPacket.TryParse(rewritten.AsSpan(0, length), out var again) && SameFields(rtp, again) && again.Payload.SequenceEqual(rtp.Payload), "a packet rewritten from its fields differs");
    }

    private static void ReadExtensions(ReadOnlySpan<byte> packet, RtpPacket rtp)
    {
        for (int id = 1; id <= byte.MaxValue; id++)
        {
            if (!rtp.TryGetExtension((byte)id, out var value) || value.IsEmpty) continue;
            // RFC 8285: an element lies inside the header extension, after its 4-byte header.
            Invariant.Holds(packet.Overlaps(value, out int offset) && offset >= RtpPacket.FixedHeaderLength + 4 * rtp.CsrcCount + 4 && offset + value.Length <= rtp.HeaderLength, "an extension element lies outside the header extension");
        }
        Invariant.Holds(!rtp.TryGetExtension(0, out _), "extension id 0 is padding, never an element");
    }

    private static void WithoutExtensionsRoundTrip(ReadOnlySpan<byte> packet, RtpPacket rtp, Span<byte> buffer)
    {
        Invariant.Holds(RtpWriter.TryWriteWithoutExtensions(packet, buffer, out int length), "TryWriteWithoutExtensions refused a large enough buffer");
        Invariant.Holds(RtpPacket.TryParse(buffer[..length], out var copy), "a packet copied without extensions does not parse");
        Invariant.Holds(!copy.HasExtension && copy.PaddingLength == 0 && SameFields(rtp, copy), "a copy without extensions kept them or changed a field");
        Invariant.Holds(copy.CsrcCount == rtp.CsrcCount && buffer[RtpPacket.FixedHeaderLength..copy.HeaderLength].SequenceEqual(packet[RtpPacket.FixedHeaderLength..copy.HeaderLength]), "a copy lost its CSRCs");
        Invariant.Holds(copy.Payload.SequenceEqual(rtp.Payload), "a copy without extensions changed the payload");
    }

    private static void RtxRoundTrip(ReadOnlySpan<byte> packet, RtpPacket rtp, Span<byte> buffer)
    {
        Invariant.Holds(RtpWriter.TryWriteRtx(packet, RtxPayloadType, RtxSsrc, RtxSequenceNumber, buffer, out int length), "TryWriteRtx refused a large enough buffer");
        Invariant.Holds(RtpPacket.TryParse(buffer[..length], out var rtx), "an RTX packet does not parse");
        Invariant.Holds(rtx.PayloadType == RtxPayloadType && rtx.Ssrc == RtxSsrc && rtx.SequenceNumber == RtxSequenceNumber, "an RTX packet does not carry the RTX stream's fields");
        Invariant.Holds(rtx.Marker == rtp.Marker && rtx.Timestamp == rtp.Timestamp && !rtx.HasExtension, "an RTX packet changed the marker or timestamp, or kept extensions");
        // RFC 4588 §4: the original sequence number, then the original payload.
        Invariant.Holds(BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload) == rtp.SequenceNumber && rtx.Payload[2..].SequenceEqual(rtp.Payload), "an RTX payload is not OSN then the original payload");
    }

    private static bool SameFields(RtpPacket a, RtpPacket b) =>
        a.Marker == b.Marker && a.PayloadType == b.PayloadType && a.SequenceNumber == b.SequenceNumber && a.Timestamp == b.Timestamp && a.Ssrc == b.Ssrc;
}
