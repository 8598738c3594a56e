using System.Buffers.Binary;

namespace Conclave.Media.Rtcp;

/// <summary>
/// The common RTCP header (RFC 3550 §6.4.1), and for feedback packets the two SSRCs
/// that follow it (RFC 4585 §6.1):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |V=2|P| RC/FMT  |      PT       |             length            |
/// |                  SSRC of packet sender                        |
/// |                  SSRC of media source (feedback only)         |
/// </code>
/// </summary>
public readonly struct RtcpHeader
{
    public const int Length = 4;

    private RtcpHeader(byte first, byte packetType, int lengthInBytes, uint senderSsrc, uint mediaSsrc)
    {
        Padding = (first & 0x20) != 0;
        Count = (byte)(first & 0x1F);
        PacketType = packetType;
        LengthInBytes = lengthInBytes;
        SenderSsrc = senderSsrc;
        MediaSsrc = mediaSsrc;
    }

    public bool Padding { get; }

    /// <summary>Reception report count, source count, or the feedback FMT.</summary>
    public byte Count { get; }

    public byte Fmt => Count;
    public byte PacketType { get; }

    /// <summary>The whole packet, header included: (length field + 1) × 4.</summary>
    public int LengthInBytes { get; }

    /// <summary>SSRC after the common header (sender of SR/RR/feedback, first source of SDES/BYE), 0 if absent.</summary>
    public uint SenderSsrc { get; }

    /// <summary>The media source SSRC of a feedback packet, 0 otherwise.</summary>
    public uint MediaSsrc { get; }

    internal static bool TryRead(ReadOnlySpan<byte> packet, out RtcpHeader header)
    {
        header = default;
        if (packet.Length < Length || packet[0] >> 6 != 2) return false;
        int length = (BinaryPrimitives.ReadUInt16BigEndian(packet[2..]) + 1) * 4;
        if (length > packet.Length) return false;
        byte type = packet[1];
        uint sender = length >= 8 ? BinaryPrimitives.ReadUInt32BigEndian(packet[4..]) : 0;
        bool feedback = type is RtcpPacketType.TransportFeedback or RtcpPacketType.PayloadFeedback;
        if (feedback && length < 12) return false;
        uint media = feedback ? BinaryPrimitives.ReadUInt32BigEndian(packet[8..]) : 0;
        header = new RtcpHeader(packet[0], type, length, sender, media);
        return true;
    }
}
