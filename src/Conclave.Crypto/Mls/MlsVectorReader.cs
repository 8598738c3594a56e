using System.Buffers.Binary;

namespace Conclave.Crypto.Mls;

/// <summary>
/// Reads what <see cref="MlsVectorWriter"/> writes, front to back. Every read refuses rather
/// than guesses: a truncated field, a reserved varint prefix (0b11) or a length not in its
/// shortest form (RFC 9420 §2.1.2) fails, so an accepted encoding is the only one of its value.
/// </summary>
public ref struct MlsVectorReader
{
    private ReadOnlySpan<byte> _rest;

    public MlsVectorReader(ReadOnlySpan<byte> source) => _rest = source;

    /// <summary>True once every byte has been read: a structure followed by anything is malformed.</summary>
    public readonly bool IsAtEnd => _rest.IsEmpty;

    /// <summary>The bytes not read yet.</summary>
    public readonly int Remaining => _rest.Length;

    public bool TryReadUInt8(out byte value)
    {
        value = 0;
        if (_rest.IsEmpty) return false;
        value = _rest[0];
        _rest = _rest[1..];
        return true;
    }

    public bool TryReadUInt32(out uint value)
    {
        value = 0;
        if (!TryReadFixed(4, out var bytes)) return false;
        value = BinaryPrimitives.ReadUInt32BigEndian(bytes);
        return true;
    }

    public bool TryReadUInt64(out ulong value)
    {
        value = 0;
        if (!TryReadFixed(8, out var bytes)) return false;
        value = BinaryPrimitives.ReadUInt64BigEndian(bytes);
        return true;
    }

    /// <summary>opaque field[n].</summary>
    public bool TryReadFixed(int length, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_rest.Length < length) return false;
        value = _rest[..length];
        _rest = _rest[length..];
        return true;
    }

    /// <summary>opaque field&lt;V&gt;.</summary>
    public bool TryReadVector(out ReadOnlySpan<byte> value)
    {
        value = default;
        if (_rest.IsEmpty) return false;
        int prefix = _rest[0] >> 6;
        if (prefix == 0b11) return false;
        int lengthBytes = 1 << prefix;
        if (_rest.Length < lengthBytes) return false;
        int length = _rest[0] & 0x3F;
        for (int i = 1; i < lengthBytes; i++) length = length << 8 | _rest[i];
        bool shortest = lengthBytes switch
        {
            1 => true,
            2 => length >= 1 << 6,
            _ => length >= 1 << 14,
        };
        if (!shortest) return false;
        _rest = _rest[lengthBytes..];
        return TryReadFixed(length, out value);
    }
}
