using System.Security.Cryptography;
using System.Text;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Hpke;


public sealed class HpkeTests
{
    private static readonly byte[] Info = Encoding.ASCII.GetBytes("Conclave HPKE test");
    private static readonly byte[] Aad = Encoding.ASCII.GetBytes("header");
    private static readonly byte[] Plaintext = Encoding.ASCII.GetBytes("the epoch's keys");

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(5000)]
    public void A_seal_opens_with_its_recipient(int plaintextBytes)
    {
        using var recipient = new SoftwareHpkeRecipient();
        var plaintext = RandomNumberGenerator.GetBytes(plaintextBytes);

        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, plaintext);

        Assert.Equal(P256PublicKey.PointBytes, sealedMessage.Enc.Length);
        Assert.Equal(plaintextBytes + HpkeBaseMode.TagBytes, sealedMessage.Ciphertext.Length);
        Assert.Equal(plaintext, HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, Aad, sealedMessage.Ciphertext));
    }

    [Fact]
    public void Two_seals_of_one_message_differ_because_each_has_its_own_ephemeral_key()
    {
        using var recipient = new SoftwareHpkeRecipient();
        var first = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);
        var second = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);
        Assert.NotEqual(first.Enc, second.Enc);
        Assert.NotEqual(first.Ciphertext, second.Ciphertext);
    }

    [Fact]
    public void A_changed_ciphertext_is_refused()
    {
        using var recipient = new SoftwareHpkeRecipient();
        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);
        for (int i = 0; i < sealedMessage.Ciphertext.Length; i += 7)
        {
            var changed = (byte[])sealedMessage.Ciphertext.Clone();
            changed[i] ^= 0x01;
            Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, Aad, changed));
        }
        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, Aad, sealedMessage.Ciphertext[..^1]));
        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, Aad, sealedMessage.Ciphertext[..(HpkeBaseMode.TagBytes - 1)]));
    }

    [Fact]
    public void Another_info_or_aad_is_refused()
    {
        using var recipient = new SoftwareHpkeRecipient();
        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);

        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, [.. Info, 0], Aad, sealedMessage.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, ReadOnlySpan<byte>.Empty, Aad, sealedMessage.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, Encoding.ASCII.GetBytes("Header"), sealedMessage.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, ReadOnlySpan<byte>.Empty, sealedMessage.Ciphertext));
    }

    [Fact]
    public void Another_valid_enc_is_refused()
    {
        using var recipient = new SoftwareHpkeRecipient();
        using var stranger = new SoftwareHpkeRecipient();
        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);

        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, stranger.PublicKey, Info, Aad, sealedMessage.Ciphertext));
    }

    [Fact]
    public void A_seal_to_one_key_does_not_open_with_another()
    {
        using var recipient = new SoftwareHpkeRecipient();
        using var other = new SoftwareHpkeRecipient();
        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);

        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(other, sealedMessage.Enc, Info, Aad, sealedMessage.Ciphertext));
    }

    public static TheoryData<string, byte[]> EncodingsThatAreNotPointsOnTheCurve()
    {
        using var key = new SoftwareHpkeRecipient();
        var point = key.PublicKey;
        var fieldPrime = Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF");
        var data = new TheoryData<string, byte[]>
        {
            { "y with its last bit flipped", WithLastByte(point, (byte)(point[^1] ^ 0x01)) },
            { "x changed", [point[0], (byte)(point[1] ^ 0x80), .. point[2..]] },
            { "x = p", [0x04, .. fieldPrime, .. point[33..]] },
            { "all zero coordinates", [0x04, .. new byte[64]] },
            { "compressed form", [(byte)(0x02 | (point[^1] & 1)), .. point[1..33]] },
            { "hybrid prefix 0x06", [0x06, .. point[1..]] },
            { "one byte short", point[..^1] },
            { "one byte long", [.. point, 0x00] },
            { "the point at infinity", [0x00] },
            { "empty", [] },
        };
        return data;
    }

    [Theory]
    [MemberData(nameof(EncodingsThatAreNotPointsOnTheCurve))]
    public void An_enc_that_is_not_a_point_on_the_curve_is_refused_before_the_private_key_is_used(string what, byte[] enc)
    {
        using var software = new SoftwareHpkeRecipient();
        var sealedMessage = HpkeBaseMode.SealBase(software.PublicKey, Info, Aad, Plaintext);
        var recipient = new CountingRecipient(software);

        var refused = Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, enc, Info, Aad, sealedMessage.Ciphertext));

        Assert.Contains("enc", refused.Message, StringComparison.Ordinal);
        Assert.Equal(0, recipient.Derivations);
        Assert.False(P256PublicKey.IsValidPoint(enc), what);
    }

    [Theory]
    [MemberData(nameof(EncodingsThatAreNotPointsOnTheCurve))]
    public void Sealing_to_a_key_that_is_not_a_point_on_the_curve_is_refused(string what, byte[] recipientPublicKey)
    {
        var refused = Assert.Throws<ArgumentException>(() => HpkeBaseMode.SealBase(recipientPublicKey, Info, Aad, Plaintext));
        Assert.Equal("recipientPublicKey", refused.ParamName);
        Assert.False(P256PublicKey.IsValidPoint(recipientPublicKey), what);
    }

    [Fact]
    public void The_refusal_message_holds_neither_the_plaintext_nor_the_shared_secret()
    {
        using var recipient = new SoftwareHpkeRecipient();
        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, Info, Aad, Plaintext);
        var changed = (byte[])sealedMessage.Ciphertext.Clone();
        changed[0] ^= 0x01;
        var dh = recipient.DeriveSharedSecret(sealedMessage.Enc);

        var refused = Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, Info, Aad, changed));

        Assert.DoesNotContain(Convert.ToHexString(dh), refused.ToString(), StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain(Encoding.ASCII.GetString(Plaintext), refused.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_private_key_of_zero_or_not_below_the_group_order_is_refused()
    {
        var order = Convert.FromHexString("FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551");
        Assert.Throws<ArgumentException>(() => SoftwareHpkeRecipient.FromPrivateKey(new byte[32]));
        Assert.Throws<ArgumentException>(() => SoftwareHpkeRecipient.FromPrivateKey(order));
        Assert.Throws<ArgumentException>(() => SoftwareHpkeRecipient.FromPrivateKey(new byte[31]));
        order[^1]--;
        using var largest = SoftwareHpkeRecipient.FromPrivateKey(order);
        Assert.True(P256PublicKey.IsValidPoint(largest.PublicKey));
    }

    private static byte[] WithLastByte(byte[] point, byte last) => [.. point[..^1], last];
}
