using System.Text;
using Conclave.Crypto.Hpke;
using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Crypto.Tests.Hpke;

using Hpke = Conclave.Crypto.Hpke.Hpke;

/// <summary>HPKE opened by a real SoftHSM2 token's ECDH, the way escrowed epochs are opened at export.</summary>
public sealed class HpkeTokenTests
{
    private static TokenHpkeRecipient EscrowKeyOnToken()
    {
        var token = DevelopmentTokenState.Token;
        KeyProvisioner.ProvisionMissing(token, [KeyRole.ComplianceEscrow]);
        Assert.True(KeyProvisioner.Inspect(token, KeyRole.ComplianceEscrow) is { Found: true, Sensitive: true, Extractable: false });
        return new TokenHpkeRecipient(token, KeyRole.ComplianceEscrow);
    }

    [Fact]
    public void A_seal_made_here_opens_through_the_token_s_ECDH()
    {
        var recipient = EscrowKeyOnToken();
        var info = Encoding.ASCII.GetBytes("Conclave escrow v1 test");
        var plaintext = Encoding.ASCII.GetBytes("epoch 7's SFrame secret");

        var sealedMessage = Hpke.SealBase(recipient.PublicKey, info, ReadOnlySpan<byte>.Empty, plaintext);

        Assert.Equal(plaintext, Hpke.OpenBase(recipient, sealedMessage.Enc, info, ReadOnlySpan<byte>.Empty, sealedMessage.Ciphertext));
        Assert.Throws<HpkeOpenException>(() => Hpke.OpenBase(recipient, sealedMessage.Enc, [.. info, 0], ReadOnlySpan<byte>.Empty, sealedMessage.Ciphertext));
    }

    [Fact]
    public void The_token_and_a_software_key_derive_the_same_DH_output_from_one_enc()
    {
        var recipient = EscrowKeyOnToken();
        using var ephemeral = new SoftwareHpkeRecipient();

        Assert.Equal(ephemeral.DeriveSharedSecret(recipient.PublicKey), recipient.DeriveSharedSecret(ephemeral.PublicKey));
    }
}
