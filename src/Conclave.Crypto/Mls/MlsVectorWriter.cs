using System.Buffers;
using System.Buffers.Binary;

namespace Conclave.Crypto.Mls;

/// <summary>
/// Writes TLS presentation-language fields as MLS encodes them (RFC 9420 §2.1.2): fixed-width
/// integers in network byte order, and variable-length vectors <c>&lt;V&gt;</c> whose length is a
/// QUIC-style variable-size integer in its shortest form.
/// </summary>
public sealed class MlsVectorWriter
{
    /// <summary>The 4-byte form holds lengths up to 2^30 − 1; the fourth form is reserved.</summary>
    public const int MaxVectorLength = (1 << 30) - 1;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public void WriteUInt8(byte value) => _buffer.Write([value]);

    public void WriteUInt32(uint value)
    {
        BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), value);
        _buffer.Advance(4);
    }

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>opaque field[n]: the bytes, no length; <paramref name="length"/> is n, checked so a wrong-sized field is never written.</summary>
    public void WriteFixed(ReadOnlySpan<byte> bytes, int length, string field)
    {
        if (bytes.Length != length) throw new ArgumentException($"{field} is {length} bytes, not {bytes.Length}", field);
        _buffer.Write(bytes);
    }

    /// <summary>opaque field&lt;V&gt;: the varint length, then the bytes.</summary>
    public void WriteVector(ReadOnlySpan<byte> bytes)
    {
        WriteLength(bytes.Length);
        _buffer.Write(bytes);
    }

    /// <summary>What has been written so far, valid until the next write: for nesting one structure as another's vector.</summary>
    public ReadOnlySpan<byte> WrittenSpan => _buffer.WrittenSpan;

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteLength(int length)
    {
        switch (length)
        {
            case > MaxVectorLength:
                throw new ArgumentOutOfRangeException(nameof(length), length, "an MLS vector holds at most 2^30 - 1 bytes");
            case < 1 << 6:
                WriteUInt8((byte)length);
                break;
            case < 1 << 14:
                BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), (ushort)(0x4000 | length));
                _buffer.Advance(2);
                break;
            default:
                WriteUInt32(0x8000_0000u | (uint)length);
                break;
        }
    }
}
