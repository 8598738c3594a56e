using Conclave.Media.Srtp;

namespace Conclave.Media.Tests.Srtp;

/// <summary>The RFCs' own vectors: RFC 3711 Appendix B.2 and B.3, RFC 7714 §16 and §17.</summary>
public sealed class SrtpVectorTests
{
    private static byte[] Hex(string hex) => Convert.FromHexString(hex);

    [Fact]
    public void Rfc3711_appendix_B3_key_derivation()
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
        Assert.Equal(Hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), authKey);
    }

    [Fact]
    public void Rfc3711_appendix_B2_aes_cm_keystream()
    {
        // SSRC 0, ROC 0, SEQ 0, session salt F0F1…FCFD: encrypting zeros yields the keystream.
        using var cipher = new AesCmHmacSha1Cipher(
            new SrtpSessionKeys(Hex("2B7E151628AED2A6ABF7158809CF4F3C"), Hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD"), new byte[20]),
            new SrtpSessionKeys(new byte[16], new byte[14], new byte[20]));
        var rtp = new byte[12 + 48];
        rtp[0] = 0x80;
        var output = new byte[rtp.Length + 10];
        cipher.SealRtp(rtp, output, 12, ssrc: 0, index: 0);
        Assert.Equal(Hex("E03EAD0935C95E80E166B16DD92B4EB4" + "D23513162B02D0F72A43A2FE4A5F97AB" + "41E95B3BB0A2E8DD477901E4FCA894C0"), output[12..60]);
    }

    private const string GcmKey = "000102030405060708090a0b0c0d0e0f";
    private const string GcmSalt = "517569642070726f2071756f";
    private const string Rtp = "8040f17b8041f8d35501a0b247616c6c696120657374206f6d6e69732064697669736120696e207061727465732074726573";
    private const string SrtpGcm = "8040f17b8041f8d35501a0b2f24de3a3fb34de6cacba861c9d7e4bcabe633bd50d294e6f42a5f47a51c7d19b36de3adf8833899d7f27beb16a9152cf765ee4390cce";
    // The packet §17.1–17.4 encrypt (SSRC "Mars"), and its SRTCP index 0x5d4.
    private const string Rtcp = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef";
    private const string SrtcpGcm = "81c8000d4d61727363e94885dcdab67ca727d7662f6b7e997ff5c0f76c06f32dc676a5f1730d6fda4ce09b4686303ded0bb9275bc84aa45896cf4d2fc5abf87245d9eade800005d4";
    private const string SrtcpGcmTagOnly = "81c8000d4d6172734e5450314e545032525450200000042a0000e9304c756e61deadbeefdeadbeefdeadbeefdeadbeefdeadbeef841dd9683dd78ec92ae58790125f62b3000005d4";

    /// <summary>The vectors give session keys, used for SRTP and SRTCP alike.</summary>
    private static AeadAesGcmCipher GcmSessionCipher() => new(
        new SrtpSessionKeys(Hex(GcmKey), Hex(GcmSalt), []),
        new SrtpSessionKeys(Hex(GcmKey), Hex(GcmSalt), []));

    private static SrtpContext GcmSessionContext() => new(GcmSessionCipher());

    [Fact]
    public void Rfc7714_section_16_1_srtp_gcm_encryption()
    {
        using var context = GcmSessionContext();
        var output = new byte[128];
        Assert.Equal(SrtpStatus.Ok, context.ProtectRtp(Hex(Rtp), output, out int written));
        Assert.Equal(Hex(SrtpGcm), output[..written]);
    }

    [Fact]
    public void Rfc7714_section_16_1_srtp_gcm_decryption()
    {
        using var context = GcmSessionContext();
        var output = new byte[128];
        Assert.Equal(SrtpStatus.Ok, context.UnprotectRtp(Hex(SrtpGcm), output, out int written));
        Assert.Equal(Hex(Rtp), output[..written]);
    }

    [Fact]
    public void Rfc7714_section_17_1_srtcp_gcm_encryption_and_decryption()
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
    public void Rfc7714_section_17_3_srtcp_gcm_authenticate_only()
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
