namespace Conclave.Media.Rtp;

/// <summary>
/// The header that starts every SFrame ciphertext (RFC 9605 §4.3):
/// <code>
///  0 1 2 3 4 5 6 7
/// +-+-+-+-+-+-+-+-+------------+------------+
/// |X|  K  |Y|  C  |   KID...   |   CTR...   |
/// +-+-+-+-+-+-+-+-+------------+------------+
/// </code>
/// With X=0, K is the KID itself (0–7); with X=1, K+1 big-endian bytes of KID follow the
/// config byte. Y and C say the same of the CTR, whose bytes follow the KID's. The
/// appliance reads the header only to see that a frame is encrypted and under which key:
/// it never holds the key.
/// </summary>
public readonly struct SFrameHeaderView
{
    /// <summary>The tag that ends the ciphertext of AES_128_GCM_SHA256_128 (RFC 9605 §4.5, Nt).</summary>
    public const int TagLength = 16;

    private const byte ExtendedKeyIdFlag = 0x80, ExtendedCounterFlag = 0x08;

    private SFrameHeaderView(ulong keyId, ulong counter, int length)
    {
        KeyId = keyId;
        Counter = counter;
        Length = length;
    }

    public ulong KeyId { get; }
    public ulong Counter { get; }

    /// <summary>Bytes of header: the config byte and the KID and CTR bytes that follow it.</summary>
    public int Length { get; }

    /// <summary>
    /// Reads the header at the start of <paramref name="data"/>. False only when the data
    /// ends before the header does: every config byte is valid, and a value longer than it
    /// needs (RFC 9605 §4.3 asks for the fewest bytes) is read as it is written.
    /// </summary>
    public static bool TryParse(ReadOnlySpan<byte> data, out SFrameHeaderView header)
    {
        header = default;
        if (data.IsEmpty) return false;
        byte config = data[0];
        int offset = 1;
        if (!TryReadField(data, (config & ExtendedKeyIdFlag) != 0, (config >> 4) & 0x07, ref offset, out ulong keyId)) return false;
        if (!TryReadField(data, (config & ExtendedCounterFlag) != 0, config & 0x07, ref offset, out ulong counter)) return false;
        header = new SFrameHeaderView(keyId, counter, offset);
        return true;
    }

    /// <summary>The 3-bit field is the value itself, or, when extended, the length minus one of the value that follows.</summary>
    private static bool TryReadField(ReadOnlySpan<byte> data, bool extended, int field, ref int offset, out ulong value)
    {
        value = (ulong)field;
        if (!extended) return true;
        int length = field + 1;
        if (data.Length - offset < length) return false;
        value = 0;
        foreach (byte b in data.Slice(offset, length)) value = (value << 8) | b;
        offset += length;
        return true;
    }
}
