using System.Buffers;
using System.Buffers.Binary;

namespace Conclave.Web.E2ee;

/// <summary>
/// Writes TLS presentation-language fields as MLS encodes them: fixed-width integers in
/// network byte order, and variable-length vectors <c>&lt;V&gt;</c> whose length is the
/// QUIC-style variable-size integer of RFC 9420 §2.1.2 in its shortest form.
/// </summary>
internal sealed class MlsVectorWriter
{
    /// <summary>RFC 9420 §2.1.2 allows lengths up to 2^30 − 1 (the 4-byte form).</summary>
    private const int MaxVectorLength = (1 << 30) - 1;

    private readonly ArrayBufferWriter<byte> _buffer = new();

    public void WriteUInt8(byte value) => _buffer.Write([value]);

    public void WriteUInt64(ulong value)
    {
        BinaryPrimitives.WriteUInt64BigEndian(_buffer.GetSpan(8), value);
        _buffer.Advance(8);
    }

    /// <summary>opaque field[n]: the bytes, no length.</summary>
    public void WriteFixed(ReadOnlySpan<byte> bytes) => _buffer.Write(bytes);

    /// <summary>opaque field&lt;V&gt;: the varint length, then the bytes.</summary>
    public void WriteVector(ReadOnlySpan<byte> bytes)
    {
        WriteLength(bytes.Length);
        _buffer.Write(bytes);
    }

    public byte[] ToArray() => _buffer.WrittenSpan.ToArray();

    private void WriteLength(int length)
    {
        switch (length)
        {
            case < 0 or > MaxVectorLength:
                throw new ArgumentOutOfRangeException(nameof(length), length, "an MLS vector holds at most 2^30 - 1 bytes");
            case < 1 << 6:
                WriteUInt8((byte)length);
                break;
            case < 1 << 14:
                BinaryPrimitives.WriteUInt16BigEndian(_buffer.GetSpan(2), (ushort)(0x4000 | length));
                _buffer.Advance(2);
                break;
            default:
                BinaryPrimitives.WriteUInt32BigEndian(_buffer.GetSpan(4), 0x8000_0000u | (uint)length);
                _buffer.Advance(4);
                break;
        }
    }
}
