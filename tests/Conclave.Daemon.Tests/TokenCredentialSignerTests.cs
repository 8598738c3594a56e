using System.Formats.Asn1;
using System.Numerics;
using Conclave.Keys;

namespace Conclave.Daemon.Tests;

/// <summary>The token signs in DER (RFC 3279 §2.2.3); MLS credentials carry r‖s of 32 bytes each (IEEE P1363).</summary>
public sealed class TokenCredentialSignerTests
{
    [Fact]
    public void A_der_signature_becomes_r_then_s_each_left_padded_to_32_bytes_whatever_their_der_length()
    {
        byte[] r = [0x80, .. Enumerable.Repeat((byte)0xAA, 31)]; // high bit set: DER adds a zero byte
        byte[] s = [.. Enumerable.Repeat((byte)0x01, 30)];       // short scalar: DER keeps 30 bytes

        byte[] p1363 = TokenCredentialSigner.DerToP1363(Der(r, s));

        Assert.Equal([.. r, 0, 0, .. s], p1363);
    }

    [Fact]
    public void A_negative_or_oversized_integer_is_not_a_p256_scalar()
    {
        Assert.Throws<TokenException>(() => TokenCredentialSigner.DerToP1363(Der([0x01], [0x01], negativeR: true)));
        Assert.Throws<TokenException>(() => TokenCredentialSigner.DerToP1363(Der([0x01, .. new byte[32]], [0x01])));
    }

    private static byte[] Der(byte[] r, byte[] s, bool negativeR = false)
    {
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            var rValue = new BigInteger(r, isUnsigned: true, isBigEndian: true);
            writer.WriteInteger(negativeR ? -rValue : rValue);
            writer.WriteInteger(new BigInteger(s, isUnsigned: true, isBigEndian: true));
        }
        return writer.Encode();
    }
}
