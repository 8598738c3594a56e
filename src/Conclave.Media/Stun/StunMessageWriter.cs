using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace Conclave.Media.Stun;

/// <summary>
/// Writes a STUN message into a caller-owned buffer (RFC 5389 §6, §15). Attributes
/// are appended in call order; MESSAGE-INTEGRITY and then FINGERPRINT come last.
/// A buffer too small sets <see cref="Overflowed"/> instead of throwing.
/// </summary>
public ref struct StunMessageWriter
{
    private const uint FingerprintXor = 0x5354554E;
    private const ushort FamilyIPv4 = 0x01;
    private const ushort FamilyIPv6 = 0x02;

    private readonly Span<byte> _buffer;
    private int _length;

    public StunMessageWriter(Span<byte> destination, ushort messageType, ReadOnlySpan<byte> transactionId)
    {
        _buffer = destination;
        if (destination.Length < StunMessage.HeaderLength || transactionId.Length != 12)
        {
            Overflowed = true;
            return;
        }
        BinaryPrimitives.WriteUInt16BigEndian(destination, messageType);
        BinaryPrimitives.WriteUInt16BigEndian(destination[2..], 0);
        BinaryPrimitives.WriteUInt32BigEndian(destination[4..], StunMessage.MagicCookie);
        transactionId.CopyTo(destination[8..]);
        _length = StunMessage.HeaderLength;
    }

    /// <summary>Bytes written so far (the whole message once the last attribute is written).</summary>
    public readonly int Length => _length;

    public bool Overflowed { get; private set; }

    public void WriteAttribute(ushort type, scoped ReadOnlySpan<byte> value)
    {
        var slot = Reserve(type, value.Length);
        if (!Overflowed) value.CopyTo(slot);
    }

    /// <summary>XOR-MAPPED-ADDRESS (RFC 5389 §15.2): port XOR the cookie's top half, address XOR cookie‖transaction id.</summary>
    public void WriteXorMappedAddress(SocketAddress address)
    {
        // Linux sockaddr layout: family(2, host order), port(2, network order), then
        // sockaddr_in: address(4) / sockaddr_in6: flowinfo(4), address(16).
        var raw = address.Buffer.Span;
        ushort port = BinaryPrimitives.ReadUInt16BigEndian(raw[2..]);
        bool v6 = address.Family == AddressFamily.InterNetworkV6;
        var ip = v6 ? raw.Slice(8, 16) : raw.Slice(4, 4);
        var slot = Reserve(StunAttributeType.XorMappedAddress, 4 + ip.Length);
        if (Overflowed) return;
        slot[0] = 0;
        slot[1] = (byte)(v6 ? FamilyIPv6 : FamilyIPv4);
        BinaryPrimitives.WriteUInt16BigEndian(slot[2..], (ushort)(port ^ (StunMessage.MagicCookie >> 16)));
        Span<byte> mask = stackalloc byte[16];
        BinaryPrimitives.WriteUInt32BigEndian(mask, StunMessage.MagicCookie);
        _buffer.Slice(8, 12).CopyTo(mask[4..]);
        for (int i = 0; i < ip.Length; i++) slot[4 + i] = (byte)(ip[i] ^ mask[i]);
    }

    /// <summary>ERROR-CODE (RFC 5389 §15.6): class (hundreds) and number, then a UTF-8 reason.</summary>
    public void WriteErrorCode(int code, string reason)
    {
        int reasonBytes = Encoding.UTF8.GetByteCount(reason);
        var slot = Reserve(StunAttributeType.ErrorCode, 4 + reasonBytes);
        if (Overflowed) return;
        slot[0] = 0;
        slot[1] = 0;
        slot[2] = (byte)(code / 100);
        slot[3] = (byte)(code % 100);
        Encoding.UTF8.GetBytes(reason, slot[4..]);
    }

    /// <summary>MESSAGE-INTEGRITY (RFC 5389 §15.4) with a short-term credential key (the ICE password).</summary>
    public void WriteMessageIntegrity(ReadOnlySpan<byte> key)
    {
        int start = _length;
        var slot = Reserve(StunAttributeType.MessageIntegrity, 20);
        if (Overflowed) return;
        // The length field already counts this attribute, as the HMAC requires.
        HMACSHA1.HashData(key, _buffer[..start], slot);
    }

    /// <summary>FINGERPRINT (RFC 5389 §15.5): CRC-32 of the message so far, XOR 0x5354554E. Last attribute.</summary>
    public void WriteFingerprint()
    {
        int start = _length;
        var slot = Reserve(StunAttributeType.Fingerprint, 4);
        if (Overflowed) return;
        BinaryPrimitives.WriteUInt32BigEndian(slot, Crc32.Compute(_buffer[..start]) ^ FingerprintXor);
    }

    /// <summary>Appends an attribute header, zeroes the padding and updates the message length.</summary>
    private Span<byte> Reserve(ushort type, int valueLength)
    {
        int padded = (valueLength + 3) & ~3;
        if (Overflowed || valueLength > ushort.MaxValue || _length + 4 + padded > _buffer.Length)
        {
            Overflowed = true;
            return Span<byte>.Empty;
        }
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[_length..], type);
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[(_length + 2)..], (ushort)valueLength);
        var value = _buffer.Slice(_length + 4, valueLength);
        _buffer.Slice(_length + 4 + valueLength, padded - valueLength).Clear();
        _length += 4 + padded;
        BinaryPrimitives.WriteUInt16BigEndian(_buffer[2..], (ushort)(_length - StunMessage.HeaderLength));
        return value;
    }
}
