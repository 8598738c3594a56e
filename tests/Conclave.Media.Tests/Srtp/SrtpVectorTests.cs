using Conclave.Media.Srtp;

namespace Conclave.Media.Tests.Srtp;

/// <summary>
/// The RFCs' own vectors: RFC 3711 Appendix B.2 and B.3, RFC 7714 §16 and §17. Each hex
/// value is laid out line for line as the RFC prints it, so it can be read against the
/// RFC text; <see cref="Hex"/> ignores the spaces and line breaks.
/// </summary>
public sealed class SrtpVectorTests
{
    private static byte[] Hex(string printed) =>
        Convert.FromHexString(string.Concat(printed.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));

    [Fact]
    public void Rfc3711_appendix_B3_derives_the_cipher_key_the_cipher_salt_and_the_auth_key()
    {
        var masterKey = Hex("E1F97A0D3E018BE0D64FA32C06DE4139");
        var masterSalt = Hex("0EC675AD498AFEEBB6960B3AABE6");
        var cipherKey = new byte[16];
        var cipherSalt = new byte[14];
        var authKey = new byte[20];
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpEncryption, cipherKey);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpSalt, cipherSalt);
        SrtpKeyDerivation.Derive(masterKey, masterSalt, SrtpKeyDerivation.RtpAuthentication, authKey);
        Assert.Equal(Hex("C61E7A93744F39EE10734AFE3FF7A087"), cipherKey);
        Assert.Equal(Hex("30CBBC08863D8C85D49DB34A9AE1"), cipherSalt);
        // The RFC prints a 94-octet auth key, 16 octets a line; HMAC-SHA1 keys with the
        // first 20 (n_a = 160 bits, RFC 3711 §8.2): the first line and 4 octets of the second.
        Assert.Equal(Hex("""
            CEBE321F6FF7716B6FD4AB49AF256A15
            6D38BAA4
            """), authKey);
    }

    [Fact]
    public void Rfc3711_appendix_B2_aes_cm_encrypts_zeros_into_the_listed_keystream()
    {
        // SSRC 0, ROC 0, SEQ 0: the IV is the session salt, which the RFC prints already
        // shifted (F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000); the counters are the IV + 0, 1, 2.
        using var cipher = new AesCmHmacSha1Cipher(
            new SrtpSessionKeys(Hex("2B7E151628AED2A6ABF7158809CF4F3C"), Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), new byte[20]),
            new SrtpSessionKeys(new byte[16], new byte[14], new byte[20]));
        var rtp = new byte[12 + 48];
        rtp[0] = 0x80;
        var output = new byte[rtp.Length + 10];
        cipher.SealRtp(rtp, output, 12, ssrc: 0, index: 0);
        // The Keystream column of the RFC's first three rows.
        Assert.Equal(Hex("""
            E03EAD0935C95E80E166B16DD92B4EB4
            D23513162B02D0F72A43A2FE4A5F97AB
            41E95B3BB0A2E8DD477901E4FCA894C0
            """), output[12..60]);
    }

    // RFC 7714 §16.1.1 and §17.1, the "Key:" and "salt:" lines: session keys, no master key.
    private const string GcmKey = "00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f";
    private const string GcmSalt = "51 75 69 64 20 70 72 6f 20 71 75 6f";

    // RFC 7714 §16.1.1, "Encrypting the following packet:".
    private const string Rtp = """
        8040f17b 8041f8d3 5501a0b2 47616c6c
        69612065 7374206f 6d6e6973 20646976
        69736120 696e2070 61727465 73207472
        6573
        """;

    // RFC 7714 §16.1.1, "Encrypted and tagged packet:", the packet §16.1.2 decrypts.
    private const string SrtpGcm = """
        8040f17b 8041f8d3 5501a0b2 f24de3a3
        fb34de6c acba861c 9d7e4bca be633bd5
        0d294e6f 42a5f47a 51c7d19b 36de3adf
        8833899d 7f27beb1 6a9152cf 765ee439
        0cce
        """;

    // RFC 7714 §17.1 and §17.3, "Encrypting (Tagging) the following packet:" (SSRC "Mars"),
    // at SRTCP index 000005d4.
    private const string Rtcp = """
        81c8000d 4d617273 4e545031 4e545032
        52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef
        deadbeef
        """;

    // RFC 7714 §17.1, "Encrypted and tagged packet:".
    private const string SrtcpGcm = """
        81c8000d 4d617273 63e94885 dcdab67c
        a727d766 2f6b7e99 7ff5c0f7 6c06f32d
        c676a5f1 730d6fda 4ce09b46 86303ded
        0bb9275b c84aa458 96cf4d2f c5abf872
        45d9eade 800005d4
        """;

    // RFC 7714 §17.3, "Tagged packet:" (E = 0: the RTCP packet stays in the clear).
    private const string SrtcpGcmTagOnly = """
        81c8000d 4d617273 4e545031 4e545032
        52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef
        deadbeef 841dd968 3dd78ec9 2ae58790
        125f62b3 000005d4
        """;

    /// <summary>The vectors give session keys, used for SRTP and SRTCP alike.</summary>
    private static AeadAesGcmCipher GcmSessionCipher() => new(
        new SrtpSessionKeys(Hex(GcmKey), Hex(GcmSalt), []),
        new SrtpSessionKeys(Hex(GcmKey), Hex(GcmSalt), []));

    private static SrtpContext GcmSessionContext() => new(GcmSessionCipher());

    [Fact]
    public void Rfc7714_section_16_1_1_srtp_gcm_encryption_gives_the_encrypted_and_tagged_packet()
    {
        using var context = GcmSessionContext();
        var output = new byte[128];
        Assert.Equal(SrtpStatus.Ok, context.ProtectRtp(Hex(Rtp), output, out int written));
        Assert.Equal(Hex(SrtpGcm), output[..written]);
    }

    [Fact]
    public void Rfc7714_section_16_1_2_srtp_gcm_decryption_recovers_the_packet()
    {
        using var context = GcmSessionContext();
        var output = new byte[128];
        Assert.Equal(SrtpStatus.Ok, context.UnprotectRtp(Hex(SrtpGcm), output, out int written));
        Assert.Equal(Hex(Rtp), output[..written]);
    }

    [Fact]
    public void Rfc7714_section_17_1_srtcp_gcm_encryption_gives_the_encrypted_and_tagged_packet_which_decrypts_back()
    {
        using var sender = GcmSessionCipher();
        var output = new byte[128];
        int written = sender.SealRtcp(Hex(Rtcp), output, ssrc: 0x4d617273, index: 0x5d4);
        Assert.Equal(Hex(SrtcpGcm), output[..written]);

        using var receiver = GcmSessionContext();
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(Hex(SrtcpGcm), output, out written));
        Assert.Equal(Hex(Rtcp), output[..written]);
    }

    [Fact]
    public void Rfc7714_section_17_3_a_tagged_only_srtcp_packet_verifies_and_a_changed_byte_is_refused()
    {
        using var receiver = GcmSessionContext();
        var output = new byte[128];
        Assert.Equal(SrtpStatus.Ok, receiver.UnprotectRtcp(Hex(SrtcpGcmTagOnly), output, out int written));
        Assert.Equal(Hex(Rtcp), output[..written]);

        var forged = Hex(SrtcpGcmTagOnly);
        forged[20] ^= 1; // a byte of the cleartext RTCP, covered only by the tag
        using var second = GcmSessionContext();
        Assert.Equal(SrtpStatus.AuthFailed, second.UnprotectRtcp(forged, output, out _));
    }
}
