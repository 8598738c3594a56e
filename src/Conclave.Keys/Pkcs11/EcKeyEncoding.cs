using System.Formats.Asn1;
using System.Security.Cryptography;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// The encodings between PKCS#11 and X.509/TLS for P-256: CKA_EC_PARAMS is the DER
/// OID, CKA_EC_POINT a DER OCTET STRING around the uncompressed point (so SoftHSM2
/// returns it; a bare point is accepted too), and CKM_ECDSA yields raw r‖s where X.509
/// wants a DER SEQUENCE (RFC 3279 §2.2.3).
/// </summary>
internal static class EcKeyEncoding
{
    private const int CoordinateBytes = 32;

    /// <summary>DER of OID 1.2.840.10045.3.1.7 (prime256v1, RFC 5480 §2.1.1.1).</summary>
    public static byte[] P256Parameters { get; } = Convert.FromHexString("06082A8648CE3D030107");

    /// <summary>The uncompressed point 04‖X‖Y out of CKA_EC_POINT, with or without its OCTET STRING.</summary>
    public static byte[] UncompressedPoint(byte[] ecPoint)
    {
        if (ecPoint.Length == 1 + 2 * CoordinateBytes && ecPoint[0] == 0x04) return ecPoint;
        var reader = new AsnReader(ecPoint, AsnEncodingRules.DER);
        var point = reader.ReadOctetString();
        if (point.Length != 1 + 2 * CoordinateBytes || point[0] != 0x04) throw new TokenException("the token returned an EC point that is not an uncompressed P-256 point");
        return point;
    }

    public static ECParameters PublicParameters(byte[] uncompressedPoint) => new()
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = uncompressedPoint[1..33], Y = uncompressedPoint[33..65] },
    };

    /// <summary>DER integers carry no redundant leading zero octets (X.690 §8.3.2).</summary>
    private static ReadOnlySpan<byte> Minimal(ReadOnlySpan<byte> value)
    {
        int start = 0;
        while (start < value.Length - 1 && value[start] == 0) start++;
        return value[start..];
    }

    /// <summary>raw r‖s (IEEE P1363) → DER SEQUENCE { INTEGER r, INTEGER s }.</summary>
    public static byte[] RawSignatureToDer(ReadOnlySpan<byte> raw)
    {
        if (raw.Length != 2 * CoordinateBytes) throw new TokenException($"the token returned a {raw.Length}-byte ECDSA signature; 64 expected");
        var writer = new AsnWriter(AsnEncodingRules.DER);
        using (writer.PushSequence())
        {
            writer.WriteIntegerUnsigned(Minimal(raw[..CoordinateBytes]));
            writer.WriteIntegerUnsigned(Minimal(raw[CoordinateBytes..]));
        }
        return writer.Encode();
    }
}
