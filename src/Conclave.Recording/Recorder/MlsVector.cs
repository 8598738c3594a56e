using System.Buffers.Binary;

namespace Conclave.Recording.Recorder;

/// <summary>
/// The length prefix of an RFC 9420 §2.1.2 variable-length vector: a QUIC varint
/// (RFC 9000 §16) of 1, 2 or 4 bytes, in the fewest bytes that hold the length.
/// </summary>
internal static class MlsVector
{
    public const int MaxPrefixBytes = 4;
    private const int MaxLength = (1 << 30) - 1;

    public static int WriteLength(Span<byte> destination, int length)
    {
        switch (length)
        {
            case < 0 or > MaxLength:
                throw new ArgumentOutOfRangeException(nameof(length), length, "an MLS vector holds at most 2^30 - 1 bytes");
            case <= 0x3F:
                destination[0] = (byte)length;
                return 1;
            case <= 0x3FFF:
                BinaryPrimitives.WriteUInt16BigEndian(destination, (ushort)(0x4000 | length));
                return 2;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(destination, 0x8000_0000u | (uint)length);
                return 4;
        }
    }

    /// <summary>False when the prefix is truncated, uses the 8-byte form, or is not minimal (all refused by RFC 9420 §2.1.2).</summary>
    public static bool TryReadLength(ReadOnlySpan<byte> source, out int length, out int prefixBytes)
    {
        length = 0;
        prefixBytes = 0;
        if (source.IsEmpty) return false;
        switch (source[0] >> 6)
        {
            case 0:
                length = source[0];
                prefixBytes = 1;
                return true;
            case 1 when source.Length >= 2:
                length = BinaryPrimitives.ReadUInt16BigEndian(source) & 0x3FFF;
                prefixBytes = 2;
                return length > 0x3F;
            case 2 when source.Length >= 4:
                length = (int)(BinaryPrimitives.ReadUInt32BigEndian(source) & 0x3FFF_FFFF);
                prefixBytes = 4;
                return length > 0x3FFF;
            default:
                return false;
        }
    }
}
