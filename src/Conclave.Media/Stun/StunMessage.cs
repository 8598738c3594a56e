using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Media.Stun;

/// <summary>
/// A STUN message, validated once by <see cref="TryParse"/> (RFC 5389 §6):
/// <code>
///  0                   1                   2                   3
///  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |0 0|     STUN Message Type     |         Message Length        |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                         Magic Cookie                          |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// |                     Transaction ID (96 bits)                  |
/// +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
/// </code>
/// followed by attributes of type(16) length(16) value, padded to 4 bytes (§15).
/// </summary>
public readonly ref struct StunMessage
{
    public const int HeaderLength = 20;
    public const uint MagicCookie = 0x2112A442;

    private const int LengthOffset = 2;
    private const int CookieOffset = 4;
    private const int TransactionIdOffset = 8;
    private const int TransactionIdLength = 12;
    private const int MessageIntegrityLength = 20; // HMAC-SHA1
    private const int FingerprintLength = 4;
    private const uint FingerprintXor = 0x5354554E;   // RFC 5389 §15.5

    private readonly ReadOnlySpan<byte> _message;     // length checked in TryParse

    private StunMessage(ReadOnlySpan<byte> message) => _message = message;

    public ushort MessageType => BinaryPrimitives.ReadUInt16BigEndian(_message);

    public ReadOnlySpan<byte> TransactionId => _message.Slice(TransactionIdOffset, TransactionIdLength);

    public int Length => _message.Length;

    /// <summary>Checks the header and that every attribute lies within the message; never throws.</summary>
    public static bool TryParse(ReadOnlySpan<byte> datagram, out StunMessage message)
    {
        message = default;
        if (datagram.Length < HeaderLength) return false;
        if ((datagram[0] & 0xC0) != 0) return false;
        if (BinaryPrimitives.ReadUInt32BigEndian(datagram[CookieOffset..]) != MagicCookie) return false;
        int bodyLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[LengthOffset..]);
        if ((bodyLength & 3) != 0 || bodyLength != datagram.Length - HeaderLength) return false;
        int offset = HeaderLength;
        while (offset < datagram.Length)
        {
            if (datagram.Length - offset < 4) return false;
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(datagram[(offset + 2)..]);
            int padded = (valueLength + 3) & ~3;
            if (datagram.Length - offset - 4 < padded) return false;
            offset += 4 + padded;
        }
        message = new StunMessage(datagram);
        return true;
    }

    /// <summary>The first attribute of <paramref name="type"/> (RFC 5389 §15: only the first counts).</summary>
    public bool TryGetAttribute(ushort type, out ReadOnlySpan<byte> value) => TryFindAttribute(type, out value, out _);

    private bool TryFindAttribute(ushort type, out ReadOnlySpan<byte> value, out int attributeOffset)
    {
        int offset = HeaderLength;
        while (offset + 4 <= _message.Length)
        {
            ushort attributeType = BinaryPrimitives.ReadUInt16BigEndian(_message[offset..]);
            int valueLength = BinaryPrimitives.ReadUInt16BigEndian(_message[(offset + 2)..]);
            if (attributeType == type)
            {
                value = _message.Slice(offset + 4, valueLength);
                attributeOffset = offset;
                return true;
            }
            offset += 4 + ((valueLength + 3) & ~3);
        }
        value = default;
        attributeOffset = -1;
        return false;
    }

    /// <summary>
    /// RFC 5389 §15.4: HMAC-SHA1 over the message up to MESSAGE-INTEGRITY, with the
    /// header's length covering MESSAGE-INTEGRITY itself. Only FINGERPRINT may follow it.
    /// </summary>
    public bool VerifyMessageIntegrity(ReadOnlySpan<byte> key)
    {
        if (!TryFindAttribute(StunAttributeType.MessageIntegrity, out var received, out int offset)) return false;
        if (received.Length != MessageIntegrityLength) return false;
        int after = offset + 4 + MessageIntegrityLength;
        if (after != _message.Length)
        {
            bool onlyFingerprintFollows = after + 4 + FingerprintLength == _message.Length &&
                BinaryPrimitives.ReadUInt16BigEndian(_message[after..]) == StunAttributeType.Fingerprint;
            if (!onlyFingerprintFollows) return false;
        }
        Span<byte> prefix = stackalloc byte[offset];
        _message[..offset].CopyTo(prefix);
        BinaryPrimitives.WriteUInt16BigEndian(prefix[LengthOffset..], (ushort)(after - HeaderLength));
        Span<byte> expected = stackalloc byte[MessageIntegrityLength];
        HMACSHA1.HashData(key, prefix, expected);
        return CryptographicOperations.FixedTimeEquals(expected, received);
    }

    /// <summary>RFC 5389 §15.5: CRC-32 of everything before FINGERPRINT, XOR 0x5354554E; it must be last.</summary>
    public bool VerifyFingerprint()
    {
        if (!TryFindAttribute(StunAttributeType.Fingerprint, out var received, out int offset)) return false;
        if (received.Length != FingerprintLength || offset + 4 + FingerprintLength != _message.Length) return false;
        uint expected = Crc32.Compute(_message[..offset]) ^ FingerprintXor;
        return BinaryPrimitives.ReadUInt32BigEndian(received) == expected;
    }
}
