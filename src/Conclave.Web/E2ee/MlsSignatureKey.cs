using System.Numerics;
using System.Security.Cryptography;

namespace Conclave.Web.E2ee;

/// <summary>
/// A leaf's MLS signature public key for ciphersuite 2 (RFC 9420 §5.1.1): an uncompressed
/// SEC1 P-256 point, 0x04 ‖ x ‖ y, 65 bytes, checked to lie on the curve so a credential is
/// never issued for bytes that no private key can sign for. Equal when the bytes are.
/// </summary>
public sealed class MlsSignatureKey : IEquatable<MlsSignatureKey>
{
    public const int Length = 65;

    /// <summary>The field prime p of P-256 (SEC 2 §2.4.2).</summary>
    private static readonly BigInteger P = BigInteger.Parse("0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber);

    /// <summary>The curve coefficient b of P-256 (a = −3).</summary>
    private static readonly BigInteger B = BigInteger.Parse("05AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B", System.Globalization.NumberStyles.HexNumber);

    private readonly byte[] _point;

    private MlsSignatureKey(byte[] point) => _point = point;

    public ReadOnlySpan<byte> Bytes => _point;

    /// <summary>The key when <paramref name="point"/> is an uncompressed point on P-256 (SEC 1 §2.3.4), else null.</summary>
    public static MlsSignatureKey? TryCreate(ReadOnlySpan<byte> point)
    {
        if (point.Length != Length || point[0] != 0x04) return null;
        var x = new BigInteger(point[1..33], isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(point[33..], isUnsigned: true, isBigEndian: true);
        if (x >= P || y >= P) return null;
        // y² = x³ − 3x + b (mod p). P-256's cofactor is 1, so every point on the curve is in the group.
        var left = BigInteger.ModPow(y, 2, P);
        var right = ((BigInteger.ModPow(x, 3, P) - 3 * x + B) % P + P) % P;
        return left == right ? new MlsSignatureKey(point.ToArray()) : null;
    }

    /// <summary>The credential's signature_key_sha256 (docs/signalling.md, "Credential").</summary>
    public byte[] Sha256() => SHA256.HashData(_point);

    public bool Equals(MlsSignatureKey? other) => other is not null && _point.AsSpan().SequenceEqual(other._point);

    public override bool Equals(object? obj) => obj is MlsSignatureKey other && Equals(other);

    public override int GetHashCode()
    {
        var hash = new HashCode();
        hash.AddBytes(_point);
        return hash.ToHashCode();
    }
}
