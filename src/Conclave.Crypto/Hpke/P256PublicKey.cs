using System.Diagnostics.CodeAnalysis;
using System.Numerics;

namespace Conclave.Crypto.Hpke;

/// <summary>
/// P-256 public keys as HPKE and X.509 carry them: the 65-byte uncompressed SEC1 point
/// <c>04 ‖ X ‖ Y</c> (RFC 9180 §7.1.1) and its SubjectPublicKeyInfo (RFC 5480 §2), which for a
/// named-curve P-256 key in DER is always one 26-byte prefix then the point: 91 bytes, as .NET,
/// WebCrypto and the token export it.
/// </summary>
public static class P256PublicKey
{
    public const int PointBytes = 65;
    public const int SubjectPublicKeyInfoBytes = 91;

    private const int CoordinateBytes = 32;

    /// <summary>SEQUENCE { SEQUENCE { id-ecPublicKey, prime256v1 }, BIT STRING of 66 bytes, no unused bits }.</summary>
    private static ReadOnlySpan<byte> SubjectPublicKeyInfoPrefix =>
    [
        0x30, 0x59, 0x30, 0x13, 0x06, 0x07, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x02, 0x01,
        0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07, 0x03, 0x42, 0x00,
    ];

    /// <summary>The field prime p and the curve's b (SEC 2 §2.4.2); a = −3.</summary>
    private static readonly BigInteger FieldPrime = BigInteger.Parse("0FFFFFFFF00000001000000000000000000000000FFFFFFFFFFFFFFFFFFFFFFFF", System.Globalization.NumberStyles.HexNumber);
    private static readonly BigInteger CurveB = BigInteger.Parse("05AC635D8AA3A93E7B3EBBD55769886BC651D06B0CC53B0F63BCE3C3E27D2604B", System.Globalization.NumberStyles.HexNumber);

    /// <summary>
    /// Partial public-key validation (NIST SP 800-56A §5.6.2.3.4), which RFC 9180 §7.1.4 requires
    /// of every public key input: the uncompressed form, both coordinates below p, and
    /// y² = x³ − 3x + b (mod p). The point at infinity has no 65-byte form; P-256's cofactor is 1,
    /// so a point on the curve is in the prime-order group.
    /// </summary>
    public static bool IsValidPoint(ReadOnlySpan<byte> point)
    {
        if (point.Length != PointBytes || point[0] != 0x04) return false;
        var x = new BigInteger(point.Slice(1, CoordinateBytes), isUnsigned: true, isBigEndian: true);
        var y = new BigInteger(point.Slice(1 + CoordinateBytes, CoordinateBytes), isUnsigned: true, isBigEndian: true);
        if (x >= FieldPrime || y >= FieldPrime) return false;
        var right = (BigInteger.ModPow(x, 3, FieldPrime) - 3 * x + CurveB) % FieldPrime;
        if (right.Sign < 0) right += FieldPrime;
        return BigInteger.ModPow(y, 2, FieldPrime) == right;
    }

    /// <summary>The DER SubjectPublicKeyInfo of a valid uncompressed point.</summary>
    public static byte[] ToSubjectPublicKeyInfo(ReadOnlySpan<byte> point)
    {
        if (!IsValidPoint(point)) throw new ArgumentException("not an uncompressed P-256 point on the curve", nameof(point));
        return [.. SubjectPublicKeyInfoPrefix, .. point];
    }

    /// <summary>
    /// The point inside <paramref name="subjectPublicKeyInfo"/> when it is exactly the DER
    /// encoding of a named-curve P-256 key whose point is valid; anything else (another curve,
    /// explicit parameters, a compressed point, trailing bytes) is refused, so a key has one
    /// encoding and one SHA-256 key id.
    /// </summary>
    public static bool TryReadSubjectPublicKeyInfo(ReadOnlySpan<byte> subjectPublicKeyInfo, [NotNullWhen(true)] out byte[]? point)
    {
        point = null;
        if (subjectPublicKeyInfo.Length != SubjectPublicKeyInfoBytes || !subjectPublicKeyInfo.StartsWith(SubjectPublicKeyInfoPrefix)) return false;
        var candidate = subjectPublicKeyInfo[SubjectPublicKeyInfoPrefix.Length..];
        if (!IsValidPoint(candidate)) return false;
        point = candidate.ToArray();
        return true;
    }
}
