using System.Numerics;

namespace Conclave.Crypto.SFrame;

/// <summary>
/// The SFrame header (RFC 9605 §4.3): a config byte <c>X|K(3)|Y|C(3)</c>, then the KID and the
/// CTR as big-endian integers in the fewest bytes. A value below 8 sits in the config byte
/// itself (flag 0); a larger one follows it, the 3-bit field holding its length minus one.
/// </summary>
public readonly record struct SFrameHeader(ulong Kid, ulong Ctr)
{
    /// <summary>The config byte and two 8-byte values.</summary>
    public const int MaxByteLength = 1 + 8 + 8;

    public int ByteLength => 1 + ValueLength(Kid) + ValueLength(Ctr);

    /// <summary>Writes the header at the start of <paramref name="destination"/>; returns its length.</summary>
    public int Write(Span<byte> destination)
    {
        int kidBytes = ValueLength(Kid), ctrBytes = ValueLength(Ctr);
        int length = 1 + kidBytes + ctrBytes;
        if (destination.Length < length) throw new ArgumentException($"an SFrame header of {length} bytes does not fit in {destination.Length}", nameof(destination));
        destination[0] = (byte)(ConfigField(Kid, kidBytes) << 4 | ConfigField(Ctr, ctrBytes));
        WriteBigEndian(destination.Slice(1, kidBytes), Kid);
        WriteBigEndian(destination.Slice(1 + kidBytes, ctrBytes), Ctr);
        return length;
    }

    /// <summary>
    /// Reads the header at the start of <paramref name="source"/>. Refuses a truncated header and
    /// a value not in the shortest form §4.3 requires, so every accepted header has one encoding
    /// and <see cref="ByteLength"/> is the number of bytes read.
    /// </summary>
    public static bool TryRead(ReadOnlySpan<byte> source, out SFrameHeader header)
    {
        header = default;
        if (source.IsEmpty) return false;
        int offset = 1;
        if (!TryReadValue(source, source[0] >> 4, ref offset, out ulong kid)) return false;
        if (!TryReadValue(source, source[0] & 0x0F, ref offset, out ulong ctr)) return false;
        header = new SFrameHeader(kid, ctr);
        return true;
    }

    private static bool TryReadValue(ReadOnlySpan<byte> source, int field, ref int offset, out ulong value)
    {
        if ((field & 0b1000) == 0)
        {
            value = (ulong)field;
            return true;
        }
        int length = (field & 0b0111) + 1;
        value = 0;
        if (source.Length - offset < length) return false;
        for (int i = 0; i < length; i++) value = value << 8 | source[offset + i];
        offset += length;
        return ValueLength(value) == length;
    }

    private static int ConfigField(ulong value, int valueBytes) => valueBytes == 0 ? (int)value : 0b1000 | (valueBytes - 1);

    /// <summary>Bytes after the config byte: none below 8, else the fewest that hold the value.</summary>
    private static int ValueLength(ulong value) => value < 8 ? 0 : (71 - BitOperations.LeadingZeroCount(value)) / 8;

    private static void WriteBigEndian(Span<byte> destination, ulong value)
    {
        for (int i = destination.Length - 1; i >= 0; i--, value >>= 8) destination[i] = (byte)value;
    }
}
