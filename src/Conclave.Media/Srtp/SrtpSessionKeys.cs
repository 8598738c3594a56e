using System.Security.Cryptography;

namespace Conclave.Media.Srtp;

/// <summary>
/// The session keys of one of SRTP or SRTCP, in one direction, with the cipher
/// objects made once (STYLE.md: one AesGcm per key; .NET costs ~1–2 µs per call
/// regardless of size, so reuse matters more than anything else here).
/// </summary>
internal sealed class SrtpSessionKeys : IDisposable
{
    public SrtpSessionKeys(SrtpProfile profile, ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> authenticationKey)
    {
        Salt = salt.ToArray();
        if (profile == SrtpProfile.AeadAes128Gcm)
        {
            Gcm = new AesGcm(encryptionKey, tagSizeInBytes: 16);
        }
        else
        {
            _aes = System.Security.Cryptography.Aes.Create();
            _aes.Key = encryptionKey.ToArray();
            // An ECB encryptor holds no chaining state, so one serves every packet;
            // Aes.EncryptEcb would build a new cipher per call (64 bytes each, measured).
            _aes.Mode = CipherMode.ECB;
            _aes.Padding = PaddingMode.None;
            Ecb = _aes.CreateEncryptor();
            Hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA1, authenticationKey);
        }
    }

    /// <summary>Derives the session keys of RTP (labels 0–2) or RTCP (labels 3–5) from the master key.</summary>
    public static SrtpSessionKeys Derive(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool rtcp)
    {
        byte labelBase = rtcp ? SrtpKeyDerivation.RtcpEncryption : SrtpKeyDerivation.RtpEncryption;
        Span<byte> key = stackalloc byte[16];
        Span<byte> salt = stackalloc byte[SrtpProfiles.MasterSaltLength(profile)];
        Span<byte> authentication = stackalloc byte[20]; // RFC 3711 §8.2: n_a = 160 bits
        SrtpKeyDerivation.Derive(masterKey, masterSalt, labelBase, key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(labelBase + 2), salt);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(labelBase + 1), authentication);
        try
        {
            return new SrtpSessionKeys(profile, key, salt, authentication);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
            CryptographicOperations.ZeroMemory(authentication);
        }
    }

    public byte[] Salt { get; }
    public AesGcm? Gcm { get; }
    private readonly Aes? _aes;

    /// <summary>AES-CM's block function: encrypts counter blocks into keystream.</summary>
    public ICryptoTransform? Ecb { get; }
    public IncrementalHash? Hmac { get; }

    public void Dispose()
    {
        Gcm?.Dispose();
        Ecb?.Dispose();
        _aes?.Dispose();
        Hmac?.Dispose();
        CryptographicOperations.ZeroMemory(Salt);
    }
}
