using System.Buffers.Binary;

namespace Conclave.Media.Rtp;

/// <summary>
/// An RTP packet, validated once by <see cref="TryParse"/> (RFC 3550 §5.1):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P|X|  CC   |M|     PT      |       sequence number         |
/// |                           timestamp                           |
/// |           synchronization source (SSRC) identifier            |
/// |            contributing source (CSRC) identifiers             |
/// |  defined by profile           |           length              |  (if X)
/// |                        header extension                       |
/// </code>
/// </summary>
public readonly ref struct RtpPacket
{
    public const int FixedHeaderLength = RtpHeader.FixedLength;

    private const int SequenceOffset = 2;
    private const int TimestampOffset = 4;
    private const int SsrcOffset = 8;

    /// <summary>RFC 8285 §4.2: the one-byte form's "defined by profile" value.</summary>
    public const ushort OneByteExtensionProfile = 0xBEDE;

    /// <summary>RFC 8285 §4.3: the two-byte form, 0x100 and four application bits.</summary>
    public const ushort TwoByteExtensionProfileMask = 0xFFF0, TwoByteExtensionProfile = 0x1000;

    private readonly ReadOnlySpan<byte> _packet;   // length checked in TryParse
    private readonly int _extensionOffset;         // start of the extension header, or -1
    private readonly int _extensionLength;         // bytes of extension elements

    private RtpPacket(ReadOnlySpan<byte> packet, int headerLength, int extensionOffset, int extensionLength, int paddingLength)
    {
        _packet = packet;
        HeaderLength = headerLength;
        _extensionOffset = extensionOffset;
        _extensionLength = extensionLength;
        PaddingLength = paddingLength;
    }

    public bool Marker => (_packet[1] & 0x80) != 0;
    public byte PayloadType => (byte)(_packet[1] & 0x7F);
    public ushort SequenceNumber => BinaryPrimitives.ReadUInt16BigEndian(_packet[SequenceOffset..]);
    public uint Timestamp => BinaryPrimitives.ReadUInt32BigEndian(_packet[TimestampOffset..]);
    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[SsrcOffset..]);
    public int CsrcCount => _packet[0] & 0x0F;
    public bool HasExtension => _extensionOffset >= 0;

    /// <summary>Fixed header, CSRCs and the header extension.</summary>
    public int HeaderLength { get; }

    public int PaddingLength { get; }

    public ReadOnlySpan<byte> Payload => _packet[HeaderLength..(_packet.Length - PaddingLength)];

    public static bool TryParse(ReadOnlySpan<byte> packet, out RtpPacket rtp)
    {
        rtp = default;
        if (!RtpHeader.TryGetLength(packet, out int length)) return false;
        int extensionOffset = -1, extensionLength = 0;
        if ((packet[0] & 0x10) != 0)
        {
            extensionOffset = FixedHeaderLength + 4 * (packet[0] & 0x0F);
            extensionLength = length - extensionOffset - 4;
        }
        int padding = 0;
        if ((packet[0] & 0x20) != 0)
        {
            // RFC 3550 §5.1: the last octet counts the padding, itself included.
            padding = packet[^1];
            if (padding == 0 || padding > packet.Length - length) return false;
        }
        rtp = new RtpPacket(packet, length, extensionOffset, extensionLength, padding);
        return true;
    }

    /// <summary>The value of header extension element <paramref name="id"/> (RFC 8285 one- or two-byte form).</summary>
    public bool TryGetExtension(byte id, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_extensionOffset < 0 || id == 0) return false;
        ushort profile = BinaryPrimitives.ReadUInt16BigEndian(_packet[_extensionOffset..]);
        var elements = _packet.Slice(_extensionOffset + 4, _extensionLength);
        if (profile == OneByteExtensionProfile) return TryFindOneByte(elements, id, out value);
        if ((profile & TwoByteExtensionProfileMask) == TwoByteExtensionProfile) return TryFindTwoByte(elements, id, out value);
        return false;
    }

    /// <summary>RFC 8285 §4.2: ID(4) L(4), L+1 bytes of data; ID 0 is padding, ID 15 ends the list.</summary>
    private static bool TryFindOneByte(ReadOnlySpan<byte> elements, byte id, out ReadOnlySpan<byte> value)
    {
        int offset = 0;
        while (offset < elements.Length)
        {
            byte header = elements[offset];
            int elementId = header >> 4;
            if (elementId == 0)
            {
                offset++;
                continue;
            }
            if (elementId == 15) break;
            int length = (header & 0x0F) + 1;
            if (offset + 1 + length > elements.Length) break;
            if (elementId == id)
            {
                value = elements.Slice(offset + 1, length);
                return true;
            }
            offset += 1 + length;
        }
        value = default;
        return false;
    }

    /// <summary>RFC 8285 §4.3: ID(8) L(8), L bytes of data; a zero byte is padding.</summary>
    private static bool TryFindTwoByte(ReadOnlySpan<byte> elements, byte id, out ReadOnlySpan<byte> value)
    {
        int offset = 0;
        while (offset < elements.Length)
        {
            byte elementId = elements[offset];
            if (elementId == 0)
            {
                offset++;
                continue;
            }
            if (offset + 2 > elements.Length) break;
            int length = elements[offset + 1];
            if (offset + 2 + length > elements.Length) break;
            if (elementId == id)
            {
                value = elements.Slice(offset + 2, length);
                return true;
            }
            offset += 2 + length;
        }
        value = default;
        return false;
    }
}
