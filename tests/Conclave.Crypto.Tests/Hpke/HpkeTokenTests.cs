using System.Text;
using Conclave.Crypto.Hpke;
using Conclave.Testing;

namespace Conclave.Crypto.Tests.Hpke;

/// <summary>HPKE opened by a real SoftHSM2 token's ECDH, the way escrowed epochs are opened at export.</summary>
public sealed class HpkeTokenTests
{
    /// <summary>The compliance token's first escrow key: its private half never leaves the token.</summary>
    internal static DelegatedHpkeRecipient EscrowKeyOnToken()
    {
        var token = ComplianceTokenState.Token;
        byte[] spki = token.EscrowPublicKeys()[0];
        return new DelegatedHpkeRecipient(spki, enc => token.DeriveSharedSecret(spki, enc));
    }

    [Fact]
    public void A_seal_made_here_opens_through_the_token_s_ECDH()
    {
        var recipient = EscrowKeyOnToken();
        var info = Encoding.ASCII.GetBytes("Conclave escrow v1 test");
        var plaintext = Encoding.ASCII.GetBytes("epoch 7's SFrame secret");

        var sealedMessage = HpkeBaseMode.SealBase(recipient.PublicKey, info, ReadOnlySpan<byte>.Empty, plaintext);

        Assert.Equal(plaintext, HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, info, ReadOnlySpan<byte>.Empty, sealedMessage.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => HpkeBaseMode.OpenBase(recipient, sealedMessage.Enc, [.. info, 0], ReadOnlySpan<byte>.Empty, sealedMessage.Ciphertext));
    }

    [Fact]
    public void The_token_and_a_software_key_derive_the_same_DH_output_from_one_enc()
    {
        var recipient = EscrowKeyOnToken();
        using var ephemeral = new SoftwareHpkeRecipient();

        Assert.Equal(ephemeral.DeriveSharedSecret(recipient.PublicKey), recipient.DeriveSharedSecret(ephemeral.PublicKey));
    }
}
