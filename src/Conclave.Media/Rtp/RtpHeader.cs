using System.Buffers.Binary;

namespace Conclave.Media.Rtp;

/// <summary>
/// Where an RTP header ends (RFC 3550 §5.1, §5.3.1): the fixed header, the CSRCs and,
/// if X is set, the header extension. The one header parser behind <see cref="RtpPacket"/>
/// and SRTP, which must find the header before it may read the payload.
/// </summary>
internal static class RtpHeader
{
    public const int FixedLength = 12;

    private const int ExtensionHeaderLength = 4;

    /// <summary>
    /// False when the version is not 2 or the header runs past the packet. Padding is not
    /// checked: under SRTP it lies in the ciphertext (RFC 3711 §3.1).
    /// </summary>
    public static bool TryGetLength(ReadOnlySpan<byte> packet, out int headerLength)
    {
        headerLength = 0;
        if (packet.Length < FixedLength || packet[0] >> 6 != 2) return false;
        int length = FixedLength + 4 * (packet[0] & 0x0F);
        if ((packet[0] & 0x10) != 0)
        {
            if (packet.Length < length + ExtensionHeaderLength) return false;
            // The length field counts the extension's 32-bit words, its own header excluded.
            length += ExtensionHeaderLength + 4 * BinaryPrimitives.ReadUInt16BigEndian(packet[(length + 2)..]);
        }
        if (length > packet.Length) return false;
        headerLength = length;
        return true;
    }
}
