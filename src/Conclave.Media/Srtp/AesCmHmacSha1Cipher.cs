using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Media.Srtp;

/// <summary>
/// AES_CM_128_HMAC_SHA1_80 (RFC 3711 §4.1.1, §4.2; RFC 5764 §4.1.2): AES-128 in counter
/// mode, then an HMAC-SHA1 tag, truncated to 80 bits, over the encrypted packet.
/// </summary>
internal sealed class AesCmHmacSha1Cipher : ISrtpCipher
{
    private const int AuthenticationTagLength = 10;
    private const int HmacSha1Length = 20;
    private const int BlockLength = 16;
    private const int MaxPacketBytes = 2048;

    private readonly SessionKeys _rtp;
    private readonly SessionKeys _rtcp;

    // Arrays, not stack memory, because ICryptoTransform.TransformBlock takes arrays.
    private readonly byte[] _counterBlocks = new byte[MaxPacketBytes + BlockLength];
    private readonly byte[] _keystream = new byte[MaxPacketBytes + BlockLength];

    public AesCmHmacSha1Cipher(SrtpSessionKeys rtp, SrtpSessionKeys rtcp)
    {
        _rtp = new SessionKeys(rtp);
        _rtcp = new SessionKeys(rtcp);
    }

    public SrtpProfile Profile => SrtpProfile.AesCm128HmacSha1_80;
    public int TagLength => AuthenticationTagLength;

    /// <summary>RFC 3711 §3.1: header ‖ ciphertext ‖ tag; the tag also covers the ROC, which is not sent (§4.2).</summary>
    public int SealRtp(ReadOnlySpan<byte> rtp, Span<byte> destination, int headerLength, uint ssrc, ulong index)
    {
        int length = rtp.Length;
        rtp[..headerLength].CopyTo(destination);
        ApplyCounterMode(_rtp, rtp[headerLength..], destination[headerLength..length], ssrc, index);
        Span<byte> rolloverCounter = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rolloverCounter, (uint)(index >> 16));
        Authenticate(_rtp, destination[..length], rolloverCounter, destination.Slice(length, AuthenticationTagLength));
        return length + AuthenticationTagLength;
    }

    public bool OpenRtp(ReadOnlySpan<byte> srtp, Span<byte> destination, int headerLength, uint ssrc, ulong index)
    {
        int length = srtp.Length - AuthenticationTagLength;
        Span<byte> rolloverCounter = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(rolloverCounter, (uint)(index >> 16));
        Span<byte> expected = stackalloc byte[AuthenticationTagLength];
        Authenticate(_rtp, srtp[..length], rolloverCounter, expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, srtp.Slice(length, AuthenticationTagLength))) return false;
        srtp[..headerLength].CopyTo(destination);
        ApplyCounterMode(_rtp, srtp[headerLength..length], destination[headerLength..length], ssrc, index);
        return true;
    }

    /// <summary>RFC 3711 §3.4: header ‖ ciphertext ‖ E‖index ‖ tag; the tag covers E‖index.</summary>
    public int SealRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination, uint ssrc, uint index)
    {
        const int clear = SrtcpPacket.ClearHeaderLength;
        int length = rtcp.Length;
        rtcp[..clear].CopyTo(destination);
        ApplyCounterMode(_rtcp, rtcp[clear..], destination[clear..length], ssrc, index);
        BinaryPrimitives.WriteUInt32BigEndian(destination[length..], SrtcpPacket.EncryptedFlag | index);
        int authenticated = length + SrtcpPacket.IndexLength;
        Authenticate(_rtcp, destination[..authenticated], [], destination.Slice(authenticated, AuthenticationTagLength));
        return authenticated + AuthenticationTagLength;
    }

    public uint ReadRtcpFlagAndIndex(ReadOnlySpan<byte> srtcp) =>
        BinaryPrimitives.ReadUInt32BigEndian(srtcp[^(SrtcpPacket.IndexLength + AuthenticationTagLength)..]);

    public bool OpenRtcp(ReadOnlySpan<byte> srtcp, Span<byte> destination, uint ssrc, uint flagAndIndex)
    {
        const int clear = SrtcpPacket.ClearHeaderLength;
        int authenticated = srtcp.Length - AuthenticationTagLength;
        int plainLength = authenticated - SrtcpPacket.IndexLength;
        Span<byte> expected = stackalloc byte[AuthenticationTagLength];
        Authenticate(_rtcp, srtcp[..authenticated], [], expected);
        if (!CryptographicOperations.FixedTimeEquals(expected, srtcp.Slice(authenticated, AuthenticationTagLength))) return false;
        srtcp[..clear].CopyTo(destination);
        if (SrtcpPacket.IsEncrypted(flagAndIndex))
        {
            ApplyCounterMode(_rtcp, srtcp[clear..plainLength], destination[clear..plainLength], ssrc, SrtcpPacket.Index(flagAndIndex));
        }
        else
        {
            srtcp[clear..plainLength].CopyTo(destination[clear..]);
        }
        return true;
    }

    /// <summary>
    /// AES-CM (RFC 3711 §4.1.1): IV = (salt · 2¹⁶) XOR (SSRC · 2⁶⁴) XOR (index · 2¹⁶);
    /// keystream blocks are AES(IV + j), made in one ECB call.
    /// </summary>
    private void ApplyCounterMode(SessionKeys keys, ReadOnlySpan<byte> input, Span<byte> output, uint ssrc, ulong index)
    {
        if (input.IsEmpty) return;
        int blocks = (input.Length + BlockLength - 1) / BlockLength;
        Span<byte> iv = stackalloc byte[BlockLength];
        iv.Clear();
        keys.Salt.CopyTo(iv);
        iv[4] ^= (byte)(ssrc >> 24);
        iv[5] ^= (byte)(ssrc >> 16);
        iv[6] ^= (byte)(ssrc >> 8);
        iv[7] ^= (byte)ssrc;
        for (int i = 0; i < 6; i++) iv[8 + i] ^= (byte)(index >> (40 - 8 * i));
        var counters = _counterBlocks.AsSpan(0, blocks * BlockLength);
        for (int block = 0; block < blocks; block++)
        {
            var counter = counters.Slice(block * BlockLength, BlockLength);
            iv.CopyTo(counter);
            // The block counter occupies the low 16 bits, which the IV leaves zero.
            counter[14] = (byte)(block >> 8);
            counter[15] = (byte)block;
        }
        keys.Ecb.TransformBlock(_counterBlocks, 0, blocks * BlockLength, _keystream, 0);
        var keystream = _keystream.AsSpan(0, blocks * BlockLength);
        for (int i = 0; i < input.Length; i++) output[i] = (byte)(input[i] ^ keystream[i]);
    }

    /// <summary>HMAC-SHA1 over data ‖ trailer, truncated to the tag (RFC 3711 §4.2.1).</summary>
    private static void Authenticate(SessionKeys keys, ReadOnlySpan<byte> data, ReadOnlySpan<byte> trailer, Span<byte> tag)
    {
        keys.Hmac.AppendData(data);
        if (!trailer.IsEmpty) keys.Hmac.AppendData(trailer);
        Span<byte> full = stackalloc byte[HmacSha1Length];
        keys.Hmac.GetHashAndReset(full);
        full[..tag.Length].CopyTo(tag);
    }

    public void Dispose()
    {
        _rtp.Dispose();
        _rtcp.Dispose();
    }

    /// <summary>
    /// SRTP's or SRTCP's keys as primitives made once. The ECB encryptor holds no
    /// chaining state, so one serves every packet, where Aes.EncryptEcb would key a new
    /// cipher per call (64 bytes allocated each, measured); the HMAC is incremental
    /// because the RTP tag covers a ROC that is not in the packet.
    /// </summary>
    private sealed class SessionKeys : IDisposable
    {
        private readonly Aes _aes;

        public SessionKeys(SrtpSessionKeys keys)
        {
            Salt = keys.Salt.ToArray();
            _aes = Aes.Create();
            _aes.Key = keys.EncryptionKey.ToArray();
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            Ecb = _aes.CreateEncryptor();
            Hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, keys.AuthenticationKey);
        }

        public byte[] Salt { get; }

        /// <summary>AES-CM's block function: encrypts counter blocks into keystream.</summary>
        public ICryptoTransform Ecb { get; }

        public IncrementalHash Hmac { get; }

        public void Dispose()
        {
            Ecb.Dispose();
            _aes.Dispose();
            Hmac.Dispose();
            CryptographicOperations.ZeroMemory(Salt);
        }
    }
}
