using System.Security.Cryptography;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Hpke;

public sealed class P256PublicKeyTests
{
    [Fact]
    public void The_SubjectPublicKeyInfo_of_a_point_is_what_dotnet_exports_and_reads_back_to_the_point()
    {
        using var key = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var q = key.ExportParameters(false).Q;
        byte[] point = [0x04, .. q.X!, .. q.Y!];
        var spki = key.ExportSubjectPublicKeyInfo();

        Assert.Equal(spki, P256PublicKey.ToSubjectPublicKeyInfo(point));
        Assert.Equal(P256PublicKey.SubjectPublicKeyInfoBytes, spki.Length);
        Assert.True(P256PublicKey.TryReadSubjectPublicKeyInfo(spki, out var read));
        Assert.Equal(point, read);
    }

    [Fact]
    public void A_SubjectPublicKeyInfo_of_another_curve_or_with_extra_bytes_or_an_invalid_point_is_refused()
    {
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var spki = p256.ExportSubjectPublicKeyInfo();
        var offCurve = (byte[])spki.Clone();
        offCurve[^1] ^= 0x01;

        Assert.False(P256PublicKey.TryReadSubjectPublicKeyInfo(p384.ExportSubjectPublicKeyInfo(), out _));
        Assert.False(P256PublicKey.TryReadSubjectPublicKeyInfo([.. spki, 0x00], out _));
        Assert.False(P256PublicKey.TryReadSubjectPublicKeyInfo(spki[..^1], out _));
        Assert.False(P256PublicKey.TryReadSubjectPublicKeyInfo(offCurve, out _));
        Assert.False(P256PublicKey.TryReadSubjectPublicKeyInfo(p256.ExportPkcs8PrivateKey(), out _));
    }
}
