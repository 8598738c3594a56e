using System.Security.Cryptography;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Hpke;


/// <summary>RFC 9180 Appendix A.3.1, base mode, DHKEM(P-256, HKDF-SHA256), HKDF-SHA256, AES-128-GCM.</summary>
public sealed class HpkeRfc9180VectorTests
{
    private static readonly Rfc9180Vector Vector = Rfc9180Vector.Read();

    [Fact]
    public void The_vector_is_the_suite_implemented_in_base_mode()
    {
        Assert.Equal(0, Vector.Number("mode"));
        Assert.Equal(0x0010, Vector.Number("kem_id"));
        Assert.Equal(0x0001, Vector.Number("kdf_id"));
        Assert.Equal(0x0001, Vector.Number("aead_id"));
    }

    [Theory]
    [InlineData("ikmE", "skEm", "pkEm")]
    [InlineData("ikmR", "skRm", "pkRm")]
    public void DeriveKeyPair_turns_the_RFC_input_keying_material_into_its_key_pair(string ikm, string sk, string pk)
    {
        using var key = DhKemP256.DeriveKeyPair(Vector.Bytes(ikm));
        Assert.Equal(Vector.Bytes(sk), key.ExportParameters(includePrivateParameters: true).D);
        Assert.Equal(Vector.Bytes(pk), DhKemP256.SerializePublicKey(key));
    }

    [Fact]
    public void A_recipient_made_from_skRm_has_the_public_key_pkRm()
    {
        using var recipient = SoftwareHpkeRecipient.FromPrivateKey(Vector.Bytes("skRm"));
        Assert.Equal(Vector.Bytes("pkRm"), recipient.PublicKey);
    }

    [Fact]
    public void Encap_with_the_RFC_ephemeral_key_gives_its_enc_and_shared_secret_and_Decap_agrees()
    {
        using var ephemeral = DhKemP256.DeriveKeyPair(Vector.Bytes("ikmE"));
        var sharedSecret = DhKemP256.Encap(ephemeral, Vector.Bytes("pkRm"), out var enc);
        Assert.Equal(Vector.Bytes("enc"), enc);
        Assert.Equal(Vector.Bytes("shared_secret"), sharedSecret);

        using var recipient = SoftwareHpkeRecipient.FromPrivateKey(Vector.Bytes("skRm"));
        Assert.Equal(Vector.Bytes("shared_secret"), DhKemP256.Decap(recipient, Vector.Bytes("enc")));
    }

    [Fact]
    public void The_key_schedule_of_the_RFC_shared_secret_gives_its_context_secret_key_and_base_nonce()
    {
        var context = new byte[HpkeKeySchedule.ContextBytes];
        HpkeKeySchedule.KeyScheduleContext(Vector.Bytes("info"), context);
        Assert.Equal(Vector.Bytes("key_schedule_context"), context);

        var secret = new byte[32];
        HpkeKeySchedule.Secret(Vector.Bytes("shared_secret"), secret);
        Assert.Equal(Vector.Bytes("secret"), secret);

        var key = new byte[HpkeKeySchedule.KeyBytes];
        var baseNonce = new byte[HpkeKeySchedule.NonceBytes];
        HpkeKeySchedule.Derive(Vector.Bytes("shared_secret"), Vector.Bytes("info"), key, baseNonce);
        Assert.Equal(Vector.Bytes("key"), key);
        Assert.Equal(Vector.Bytes("base_nonce"), baseNonce);
    }

    [Fact]
    public void Sealing_with_the_RFC_ephemeral_key_gives_its_enc_and_the_ciphertext_of_sequence_0()
    {
        var encryption = Vector.Encryption(0);
        Assert.Equal(Vector.Bytes("base_nonce"), encryption("nonce"));
        using var ephemeral = DhKemP256.DeriveKeyPair(Vector.Bytes("ikmE"));

        var sealedMessage = HpkeBaseMode.SealBase(ephemeral, Vector.Bytes("pkRm"), Vector.Bytes("info"), encryption("aad"), encryption("pt"));

        Assert.Equal(Vector.Bytes("enc"), sealedMessage.Enc);
        Assert.Equal(encryption("ct"), sealedMessage.Ciphertext);
    }

    [Fact]
    public void The_RFC_ciphertext_of_sequence_0_opens_with_skRm()
    {
        var encryption = Vector.Encryption(0);
        using var recipient = SoftwareHpkeRecipient.FromPrivateKey(Vector.Bytes("skRm"));

        Assert.Equal(encryption("pt"), HpkeBaseMode.OpenBase(recipient, Vector.Bytes("enc"), Vector.Bytes("info"), encryption("aad"), encryption("ct")));
    }

    [Fact]
    public void The_RFC_ciphertext_does_not_open_with_another_key()
    {
        var encryption = Vector.Encryption(0);
        using var other = SoftwareHpkeRecipient.FromPrivateKey(SHA256.HashData(Vector.Bytes("skRm")));

        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(other, Vector.Bytes("enc"), Vector.Bytes("info"), encryption("aad"), encryption("ct")));
    }
}
