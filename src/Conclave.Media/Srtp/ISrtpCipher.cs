using System.Security.Cryptography;

namespace Conclave.Media.Srtp;

/// <summary>
/// One SRTP protection profile's transforms, keyed for one direction: seals and opens
/// RTP at a known packet index and RTCP at a known SRTCP index. The rollover counter and
/// the replay windows stay in <see cref="SrtpContext"/>; a cipher holds only keys and
/// the scratch its primitives need.
/// <para>
/// Destination may be exactly the source's memory but must not overlap it otherwise;
/// lengths are checked by the caller. Allocates nothing per packet.
/// </para>
/// </summary>
internal interface ISrtpCipher : IDisposable
{
    SrtpProfile Profile { get; }

    /// <summary>The authentication tag appended to each SRTP and SRTCP packet.</summary>
    int TagLength { get; }

    /// <summary>
    /// Encrypts and tags one RTP packet at packet index i = 2¹⁶ · ROC + SEQ (RFC 3711
    /// §3.3.1); returns the bytes written, rtp.Length + <see cref="TagLength"/>.
    /// </summary>
    int SealRtp(ReadOnlySpan<byte> rtp, Span<byte> destination, int headerLength, uint ssrc, ulong index);

    /// <summary>
    /// Verifies the tag of one SRTP packet and decrypts it into destination
    /// (srtp.Length − <see cref="TagLength"/> bytes); false when the tag does not verify.
    /// </summary>
    bool OpenRtp(ReadOnlySpan<byte> srtp, Span<byte> destination, int headerLength, uint ssrc, ulong index);

    /// <summary>
    /// Encrypts (E = 1) and tags an RTCP compound packet at SRTCP index
    /// <paramref name="index"/>; returns the bytes written, rtcp.Length + 4 + <see cref="TagLength"/>.
    /// </summary>
    int SealRtcp(ReadOnlySpan<byte> rtcp, Span<byte> destination, uint ssrc, uint index);

    /// <summary>The E flag and SRTCP index word, which the two profiles place on either side of the tag.</summary>
    uint ReadRtcpFlagAndIndex(ReadOnlySpan<byte> srtcp);

    /// <summary>
    /// Verifies one SRTCP packet and, when E is set, decrypts it into destination
    /// (srtcp.Length − 4 − <see cref="TagLength"/> bytes); false when the tag does not verify.
    /// </summary>
    bool OpenRtcp(ReadOnlySpan<byte> srtcp, Span<byte> destination, uint ssrc, uint flagAndIndex);

    /// <summary>The cipher of <paramref name="profile"/>, keyed with session keys derived from the master key and salt (RFC 3711 §4.3).</summary>
    static ISrtpCipher Create(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt)
    {
        if (!SrtpProfiles.IsSupported((ushort)profile)) throw new ArgumentOutOfRangeException(nameof(profile), profile, "unsupported SRTP profile");
        Span<byte> material = stackalloc byte[2 * SrtpSessionKeys.MaxLength];
        try
        {
            var rtp = SrtpSessionKeys.Derive(profile, masterKey, masterSalt, rtcp: false, material[..SrtpSessionKeys.MaxLength]);
            var rtcp = SrtpSessionKeys.Derive(profile, masterKey, masterSalt, rtcp: true, material[SrtpSessionKeys.MaxLength..]);
            return profile == SrtpProfile.AeadAes128Gcm ? new AeadAesGcmCipher(rtp, rtcp) : new AesCmHmacSha1Cipher(rtp, rtcp);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(material);
        }
    }
}
