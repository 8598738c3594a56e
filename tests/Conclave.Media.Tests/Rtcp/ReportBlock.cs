using System.Buffers.Binary;

namespace Conclave.Media.Tests.Rtcp;

/// <summary>
/// One reception report block of an SR or RR (RFC 3550 §6.4.1):
/// <code>
/// |                 SSRC_1 (SSRC of first source)                 |
/// | fraction lost |       cumulative number of packets lost       |
/// |           extended highest sequence number received           |
/// |                      interarrival jitter                      |
/// |                         last SR (LSR)                         |
/// |                   delay since last SR (DLSR)                  |
/// </code>
/// </summary>
internal readonly record struct ReportBlock(uint Ssrc, byte FractionLost, int CumulativeLost, uint ExtendedHighestSequence, uint Jitter, uint LastSenderReport, uint DelaySinceLastSenderReport)
{
    public const int Length = 24;

    internal static ReportBlock Read(ReadOnlySpan<byte> block)
    {
        // Cumulative loss is a 24-bit signed value (duplicates can make it negative).
        int lost = (block[5] << 16) | (block[6] << 8) | block[7];
        if ((lost & 0x800000) != 0) lost |= unchecked((int)0xFF000000);
        return new ReportBlock(
            BinaryPrimitives.ReadUInt32BigEndian(block), block[4], lost,
            BinaryPrimitives.ReadUInt32BigEndian(block[8..]), BinaryPrimitives.ReadUInt32BigEndian(block[12..]),
            BinaryPrimitives.ReadUInt32BigEndian(block[16..]), BinaryPrimitives.ReadUInt32BigEndian(block[20..]));
    }

    internal void Write(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt32BigEndian(destination, Ssrc);
        destination[4] = FractionLost;
        destination[5] = (byte)(CumulativeLost >> 16);
        destination[6] = (byte)(CumulativeLost >> 8);
        destination[7] = (byte)CumulativeLost;
        BinaryPrimitives.WriteUInt32BigEndian(destination[8..], ExtendedHighestSequence);
        BinaryPrimitives.WriteUInt32BigEndian(destination[12..], Jitter);
        BinaryPrimitives.WriteUInt32BigEndian(destination[16..], LastSenderReport);
        BinaryPrimitives.WriteUInt32BigEndian(destination[20..], DelaySinceLastSenderReport);
    }
}
