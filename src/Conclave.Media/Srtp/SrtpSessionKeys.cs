namespace Conclave.Media.Srtp;

/// <summary>
/// The session keys of SRTP or of SRTCP in one direction (RFC 3711 §4.3), borrowed from
/// the caller's memory while a cipher is keyed with them; the caller zeroes them after.
/// </summary>
internal readonly ref struct SrtpSessionKeys
{
    private const int EncryptionKeyLength = 16;

    /// <summary>RFC 3711 §8.2: n_a = 160 bits for HMAC-SHA1.</summary>
    private const int AuthenticationKeyLength = 20;

    /// <summary>Bytes <see cref="Derive"/> needs: key, the longer (AES-CM) salt and an authentication key.</summary>
    public const int MaxLength = EncryptionKeyLength + 14 + AuthenticationKeyLength;

    public SrtpSessionKeys(ReadOnlySpan<byte> encryptionKey, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> authenticationKey)
    {
        EncryptionKey = encryptionKey;
        Salt = salt;
        AuthenticationKey = authenticationKey;
    }

    public ReadOnlySpan<byte> EncryptionKey { get; }
    public ReadOnlySpan<byte> Salt { get; }

    /// <summary>Empty for AEAD_AES_128_GCM, whose tag needs no separate key (RFC 7714 §11).</summary>
    public ReadOnlySpan<byte> AuthenticationKey { get; }

    /// <summary>
    /// Derives into <paramref name="buffer"/> (<see cref="MaxLength"/> bytes) the session
    /// keys of RTP (labels 0–2) or RTCP (labels 3–5) from the master key and salt.
    /// </summary>
    public static SrtpSessionKeys Derive(SrtpProfile profile, ReadOnlySpan<byte> masterKey, ReadOnlySpan<byte> masterSalt, bool rtcp, Span<byte> buffer)
    {
        byte labelBase = rtcp ? SrtpKeyDerivation.RtcpEncryption : SrtpKeyDerivation.RtpEncryption;
        int saltLength = SrtpProfiles.MasterSaltLength(profile);
        int authenticationLength = profile == SrtpProfile.AeadAes128Gcm ? 0 : AuthenticationKeyLength;
        var key = buffer[..EncryptionKeyLength];
        var salt = buffer.Slice(EncryptionKeyLength, saltLength);
        var authentication = buffer.Slice(EncryptionKeyLength + saltLength, authenticationLength);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, labelBase, key);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(labelBase + 2), salt);
        if (!authentication.IsEmpty) SrtpKeyDerivation.Derive(masterKey, masterSalt, (byte)(labelBase + 1), authentication);
        return new SrtpSessionKeys(key, salt, authentication);
    }
}
