using System.Buffers.Binary;
using System.Text;

namespace Conclave.Recording.Export;

/// <summary>
/// EBML elements (RFC 8794) written straight to a seekable stream: an ID with its marker bits as
/// the specification lists it, a size as a variable-size integer (§4), then the data. A master
/// element whose size is known only at its end gets an 8-byte size that <see cref="EndMaster"/>
/// writes over, so nothing is buffered.
/// </summary>
internal sealed class EbmlWriter(Stream output)
{
    /// <summary>The widest VINT (§4.1): 7 × 8 bits of value.</summary>
    public const int PatchableSizeLength = 8;

    /// <summary>ID, a size of at most 8 bytes and 8 bytes of data: every element but a binary or string.</summary>
    private const int MaxScalarElementLength = 4 + 8 + 8;

    public Stream Output { get; } = output;

    public long Position => Output.Position;

    public void WriteUInt(uint id, ulong value)
    {
        Span<byte> element = stackalloc byte[MaxScalarElementLength];
        int length = WriteId(element, id);
        int valueLength = UIntLength(value);
        length += WriteSize(element[length..], valueLength);
        WriteBigEndian(element.Slice(length, valueLength), value);
        Output.Write(element[..(length + valueLength)]);
    }

    /// <summary>An unsigned integer in exactly 8 bytes, to be overwritten by <see cref="PatchFixedUInt"/>; returns where its value lies.</summary>
    public long WriteFixedUInt(uint id, ulong value)
    {
        Span<byte> element = stackalloc byte[MaxScalarElementLength];
        int length = WriteId(element, id);
        length += WriteSize(element[length..], 8);
        BinaryPrimitives.WriteUInt64BigEndian(element[length..], value);
        Output.Write(element[..(length + 8)]);
        return Position - 8;
    }

    /// <summary>A float element (§7.3) in 8 bytes; returns where its value lies, for <see cref="PatchFloat"/>.</summary>
    public long WriteFloat(uint id, double value)
    {
        Span<byte> element = stackalloc byte[MaxScalarElementLength];
        int length = WriteId(element, id);
        length += WriteSize(element[length..], 8);
        BinaryPrimitives.WriteDoubleBigEndian(element[length..], value);
        Output.Write(element[..(length + 8)]);
        return Position - 8;
    }

    public void WriteString(uint id, string value)
    {
        WriteHeader(id, Encoding.ASCII.GetByteCount(value));
        Output.Write(Encoding.ASCII.GetBytes(value));
    }

    public void WriteBinary(uint id, ReadOnlySpan<byte> value)
    {
        WriteHeader(id, value.Length);
        Output.Write(value);
    }

    /// <summary>An element's ID and size; its <paramref name="dataLength"/> bytes of data follow from the caller.</summary>
    public void WriteHeader(uint id, long dataLength)
    {
        Span<byte> header = stackalloc byte[4 + 8];
        int length = WriteId(header, id);
        length += WriteSize(header[length..], dataLength);
        Output.Write(header[..length]);
    }

    /// <summary>Starts a master element; returns the position of its size, for <see cref="EndMaster"/>.</summary>
    public long StartMaster(uint id)
    {
        Span<byte> header = stackalloc byte[4 + PatchableSizeLength];
        int length = WriteId(header, id);
        long sizePosition = Position + length;
        length += WriteSize(header[length..], 0, PatchableSizeLength);
        Output.Write(header[..length]);
        return sizePosition;
    }

    /// <summary>Writes the master element's size now that its data ends here.</summary>
    public void EndMaster(long sizePosition)
    {
        long end = Position;
        Span<byte> size = stackalloc byte[PatchableSizeLength];
        WriteSize(size, end - sizePosition - PatchableSizeLength, PatchableSizeLength);
        Patch(sizePosition, size, end);
    }

    public void PatchFixedUInt(long valuePosition, ulong value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(bytes, value);
        Patch(valuePosition, bytes, Position);
    }

    public void PatchFloat(long valuePosition, double value)
    {
        Span<byte> bytes = stackalloc byte[8];
        BinaryPrimitives.WriteDoubleBigEndian(bytes, value);
        Patch(valuePosition, bytes, Position);
    }

    /// <summary>Writes an element ID, its marker bits included, in as many bytes as it has (§5: at most 4).</summary>
    public static int WriteId(Span<byte> destination, uint id)
    {
        int length = id > 0xFFFFFF ? 4 : id > 0xFFFF ? 3 : id > 0xFF ? 2 : 1;
        WriteBigEndian(destination[..length], id);
        return length;
    }

    /// <summary>
    /// A VINT (§4): the length's marker bit, then the value, in the fewest bytes whose value bits
    /// are not all ones (all ones means "unknown size", §6.2), or in exactly <paramref name="length"/>.
    /// </summary>
    public static int WriteSize(Span<byte> destination, long value, int length = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(value);
        if (length == 0)
        {
            length = 1;
            while (value >= (1L << (7 * length)) - 1) length++;
        }
        if (length > PatchableSizeLength || value >= (1L << (7 * length)) - 1) throw new ArgumentOutOfRangeException(nameof(value), value, $"does not fit a {length}-byte VINT");
        WriteBigEndian(destination[..length], (ulong)value | 1UL << (7 * length));
        return length;
    }

    /// <summary>§7.2: an unsigned integer in the fewest bytes, at least one.</summary>
    private static int UIntLength(ulong value)
    {
        int length = 1;
        while (length < 8 && value >> (8 * length) != 0) length++;
        return length;
    }

    private static void WriteBigEndian(Span<byte> destination, ulong value)
    {
        for (int i = destination.Length - 1; i >= 0; i--)
        {
            destination[i] = (byte)value;
            value >>= 8;
        }
    }

    private void Patch(long position, ReadOnlySpan<byte> bytes, long returnTo)
    {
        Output.Position = position;
        Output.Write(bytes);
        Output.Position = returnTo;
    }
}
