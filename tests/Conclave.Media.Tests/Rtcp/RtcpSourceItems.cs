using System.Buffers.Binary;
using Conclave.Media.Rtcp;

namespace Conclave.Media.Tests.Rtcp;

/// <summary>SDES (RFC 3550 §6.5) and BYE (§6.6) readers.</summary>
internal static class RtcpSourceItems
{
    private const byte CnameItem = 1;

    /// <summary>The CNAME of the first chunk of an SDES packet.</summary>
    public static bool TryGetFirstCname(ReadOnlySpan<byte> sdesPacket, out uint ssrc, out ReadOnlySpan<byte> cname)
    {
        ssrc = 0;
        cname = default;
        if (!RtcpHeader.TryRead(sdesPacket, out var header) || header.PacketType != RtcpPacketType.SourceDescription || header.Count == 0) return false;
        var packet = sdesPacket[..header.LengthInBytes];
        if (packet.Length < 8) return false;
        ssrc = BinaryPrimitives.ReadUInt32BigEndian(packet[4..]);
        int offset = 8;
        while (offset + 2 <= packet.Length && packet[offset] != 0)
        {
            int length = packet[offset + 1];
            if (offset + 2 + length > packet.Length) return false;
            if (packet[offset] == CnameItem)
            {
                cname = packet.Slice(offset + 2, length);
                return true;
            }
            offset += 2 + length;
        }
        return false;
    }

    /// <summary>The SSRCs a BYE says goodbye for.</summary>
    public static bool TryGetByeSsrcs(ReadOnlySpan<byte> byePacket, Span<uint> ssrcs, out int count)
    {
        count = 0;
        if (!RtcpHeader.TryRead(byePacket, out var header) || header.PacketType != RtcpPacketType.Goodbye) return false;
        if (header.LengthInBytes < 4 + 4 * header.Count || ssrcs.Length < header.Count) return false;
        for (int i = 0; i < header.Count; i++) ssrcs[i] = BinaryPrimitives.ReadUInt32BigEndian(byePacket[(4 + 4 * i)..]);
        count = header.Count;
        return true;
    }
}

/// <summary>
/// Receiver Estimated Maximum Bitrate (draft-alvestrand-rmcat-remb-03 §2.2), a PSFB
/// with FMT 15:
/// <code>
/// |  Unique identifier 'R' 'E' 'M' 'B'                            |
/// |  Num SSRC     | BR Exp    |  BR Mantissa                      |
/// |   SSRC feedback                                               |
/// </code>
/// </summary>
internal readonly ref struct Remb
{
    private const int IdentifierOffset = 12;
    private static ReadOnlySpan<byte> Identifier => "REMB"u8;

    private readonly ReadOnlySpan<byte> _packet;

    private Remb(ReadOnlySpan<byte> packet) => _packet = packet;

    public int SsrcCount => _packet[16];

    /// <summary>Mantissa (18 bits) × 2^exponent (6 bits), in bits per second.</summary>
    public ulong BitrateBps
    {
        get
        {
            int exponent = _packet[17] >> 2;
            ulong mantissa = ((ulong)(_packet[17] & 0x03) << 16) | ((ulong)_packet[18] << 8) | _packet[19];
            return exponent > 46 ? ulong.MaxValue : mantissa << exponent;
        }
    }

    public uint GetSsrc(int index) => BinaryPrimitives.ReadUInt32BigEndian(_packet[(20 + 4 * index)..]);

    public static bool TryParse(ReadOnlySpan<byte> packet, out Remb remb)
    {
        remb = default;
        if (!RtcpHeader.TryRead(packet, out var header) || header.PacketType != RtcpPacketType.PayloadFeedback || header.Fmt != RtcpFeedbackFormat.ApplicationLayer) return false;
        if (header.LengthInBytes < 20 || !packet.Slice(IdentifierOffset, 4).SequenceEqual(Identifier)) return false;
        if (header.LengthInBytes < 20 + 4 * packet[16]) return false;
        remb = new Remb(packet[..header.LengthInBytes]);
        return true;
    }
}
