using System.Security.Cryptography;
using Conclave.Web.E2ee;

namespace Conclave.Web.Tests.E2ee;

public sealed class MlsSignatureKeyTests
{
    [Fact]
    public void The_p256_generator_is_a_valid_signature_key() =>
        Assert.NotNull(MlsSignatureKey.TryCreate(TestSignatureKeys.Generator));

    [Fact]
    public void Every_public_key_of_a_fresh_p256_key_pair_is_valid()
    {
        for (int i = 0; i < 20; i++) Assert.NotNull(MlsSignatureKey.TryCreate(TestSignatureKeys.NewPoint()));
    }

    [Fact]
    public void A_point_with_one_bit_of_y_flipped_is_off_the_curve_and_refused()
    {
        byte[] point = TestSignatureKeys.NewPoint();
        point[64] ^= 1;
        Assert.Null(MlsSignatureKey.TryCreate(point));
    }

    [Fact]
    public void A_compressed_point_or_a_point_of_the_wrong_length_is_refused()
    {
        byte[] point = TestSignatureKeys.NewPoint();
        Assert.Null(MlsSignatureKey.TryCreate([(byte)(0x02 | (point[64] & 1)), .. point[1..33]]));
        Assert.Null(MlsSignatureKey.TryCreate([0x03, .. point[1..]]));
        Assert.Null(MlsSignatureKey.TryCreate(point[..64]));
        Assert.Null(MlsSignatureKey.TryCreate([.. point, 0]));
        Assert.Null(MlsSignatureKey.TryCreate([]));
    }

    [Fact]
    public void Coordinates_at_or_above_the_field_prime_are_refused()
    {
        // x = p: congruent to 0, but not a field element (SEC 1 §2.3.4 requires x, y in [0, p−1]).
        byte[] point = [0x04, .. Convert.FromHexString("FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF"), .. new byte[32]];
        Assert.Null(MlsSignatureKey.TryCreate(point));
        Assert.Null(MlsSignatureKey.TryCreate([0x04, .. Enumerable.Repeat((byte)0xFF, 64)]));
    }

    [Fact]
    public void Its_digest_is_sha256_of_the_65_point_bytes()
    {
        byte[] point = TestSignatureKeys.NewPoint();
        Assert.Equal(SHA256.HashData(point), MlsSignatureKey.TryCreate(point)!.Sha256());
    }

    [Fact]
    public void Two_keys_of_the_same_bytes_are_equal_and_of_other_bytes_are_not()
    {
        byte[] point = TestSignatureKeys.NewPoint();
        Assert.Equal(MlsSignatureKey.TryCreate(point), MlsSignatureKey.TryCreate([.. point]));
        Assert.NotEqual(MlsSignatureKey.TryCreate(point), MlsSignatureKey.TryCreate(TestSignatureKeys.Generator));
    }
}
