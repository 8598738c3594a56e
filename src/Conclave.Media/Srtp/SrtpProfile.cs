namespace Conclave.Media.Srtp;

/// <summary>
/// SRTP protection profiles, by their DTLS use_srtp identifiers (RFC 5764 §4.1.2,
/// RFC 7714 §14.2).
/// </summary>
public enum SrtpProfile : ushort
{
    /// <summary>AES-128 counter mode, HMAC-SHA1 tag truncated to 80 bits (RFC 3711).</summary>
    AesCm128HmacSha1_80 = 0x0001,

    /// <summary>AES-128-GCM with a 128-bit tag (RFC 7714); preferred: one pass, ~1 µs per packet.</summary>
    AeadAes128Gcm = 0x0007,
}

public static class SrtpProfiles
{
    public const int MasterKeyLength = 16;

    /// <summary>RFC 3711 §8.2: 112 bits for AES-CM; RFC 7714 §12: 96 bits for GCM.</summary>
    public static int MasterSaltLength(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 12 : 14;

    /// <summary>The tag appended to each SRTP and SRTCP packet.</summary>
    public static int TagLength(SrtpProfile profile) => profile == SrtpProfile.AeadAes128Gcm ? 16 : 10;

    /// <summary>Bytes of DTLS keying material: client and server key and salt (RFC 5764 §4.2).</summary>
    public static int KeyingMaterialLength(SrtpProfile profile) => 2 * (MasterKeyLength + MasterSaltLength(profile));

    public static bool IsSupported(ushort profile) =>
        profile is (ushort)SrtpProfile.AesCm128HmacSha1_80 or (ushort)SrtpProfile.AeadAes128Gcm;
}
