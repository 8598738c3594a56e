namespace Conclave.Crypto.SFrame;

/// <summary>The SFrame cipher suites (RFC 9605 §4.5, IANA "SFrame Cipher Suites") Conclave speaks.</summary>
public static class SFrameCipherSuite
{
    /// <summary>AES_128_GCM_SHA256_128: AES-128-GCM with a 16-byte tag, HKDF-SHA-256 (Nk 16, Nn 12, Nt 16).</summary>
    public const ushort Aes128GcmSha256 = 0x0004;
}
