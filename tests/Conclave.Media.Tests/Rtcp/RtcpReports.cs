using System.Buffers.Binary;
using Conclave.Media.Rtcp;

namespace Conclave.Media.Tests.Rtcp;

/// <summary>
/// Reads SR and RR packets (RFC 3550 §6.4.1, §6.4.2). An SR's sender info:
/// <code>
/// |              NTP timestamp, most significant word             |
/// |             NTP timestamp, least significant word             |
/// |                         RTP timestamp                         |
/// |                     sender's packet count                     |
/// |                      sender's octet count                     |
/// </code>
/// </summary>
internal readonly ref struct SenderReport
{
    private const int SenderInfoOffset = 8;
    private const int SenderInfoLength = 20;

    private readonly ReadOnlySpan<byte> _packet;

    private SenderReport(ReadOnlySpan<byte> packet) => _packet = packet;

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]);
    public ulong NtpTimestamp => BinaryPrimitives.ReadUInt64BigEndian(_packet[SenderInfoOffset..]);
    public uint RtpTimestamp => BinaryPrimitives.ReadUInt32BigEndian(_packet[(SenderInfoOffset + 8)..]);
    public uint PacketCount => BinaryPrimitives.ReadUInt32BigEndian(_packet[(SenderInfoOffset + 12)..]);
    public uint OctetCount => BinaryPrimitives.ReadUInt32BigEndian(_packet[(SenderInfoOffset + 16)..]);
    public int ReportCount => _packet[0] & 0x1F;

    public ReportBlock GetReport(int index) =>
        ReportBlock.Read(_packet.Slice(SenderInfoOffset + SenderInfoLength + index * ReportBlock.Length, ReportBlock.Length));

    public static bool TryParse(ReadOnlySpan<byte> packet, out SenderReport report)
    {
        report = default;
        if (!RtcpHeader.TryRead(packet, out var header) || header.PacketType != RtcpPacketType.SenderReport) return false;
        if (header.LengthInBytes < SenderInfoOffset + SenderInfoLength + header.Count * ReportBlock.Length) return false;
        report = new SenderReport(packet[..header.LengthInBytes]);
        return true;
    }
}

internal readonly ref struct ReceiverReport
{
    private const int FirstBlockOffset = 8;

    private readonly ReadOnlySpan<byte> _packet;

    private ReceiverReport(ReadOnlySpan<byte> packet) => _packet = packet;

    public uint Ssrc => BinaryPrimitives.ReadUInt32BigEndian(_packet[4..]);
    public int ReportCount => _packet[0] & 0x1F;

    public ReportBlock GetReport(int index) =>
        ReportBlock.Read(_packet.Slice(FirstBlockOffset + index * ReportBlock.Length, ReportBlock.Length));

    public static bool TryParse(ReadOnlySpan<byte> packet, out ReceiverReport report)
    {
        report = default;
        if (!RtcpHeader.TryRead(packet, out var header) || header.PacketType != RtcpPacketType.ReceiverReport) return false;
        if (header.LengthInBytes < FirstBlockOffset + header.Count * ReportBlock.Length) return false;
        report = new ReceiverReport(packet[..header.LengthInBytes]);
        return true;
    }
}
