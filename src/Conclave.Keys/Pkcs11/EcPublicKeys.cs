using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys.Pkcs11;

/// <summary>The public halves of EC key pairs on the token, as SubjectPublicKeyInfo (DER) for .NET and X.509.</summary>
internal static class EcPublicKeys
{
    public static byte[] Export(TokenSession token, RoleKey key) => token.Run(session =>
    {
        var publicKey = token.Keys.Require(session, key, CKO.CKO_PUBLIC_KEY);
        return SubjectPublicKeyInfo(session.GetAttributeValue(publicKey, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray());
    });

    /// <summary>Every EC public key whose label starts with <paramref name="labelPrefix"/>: the current one and those retired by rotation.</summary>
    public static IReadOnlyList<byte[]> ExportAll(TokenSession token, string labelPrefix) => token.Run(session =>
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        var keys = new List<byte[]>();
        foreach (var handle in session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY)]))
        {
            var values = session.GetAttributeValue(handle, [CKA.CKA_LABEL, CKA.CKA_EC_POINT]);
            if (values[0].GetValueAsString().StartsWith(labelPrefix, StringComparison.Ordinal)) keys.Add(SubjectPublicKeyInfo(values[1].GetValueAsByteArray()));
        }
        return (IReadOnlyList<byte[]>)keys;
    });

    /// <summary>CKA_EC_POINT holds the uncompressed point inside a DER OCTET STRING.</summary>
    private static byte[] SubjectPublicKeyInfo(byte[] ecPoint)
    {
        using var ecdsa = ECDsa.Create(EcKeyEncoding.PublicParameters(EcKeyEncoding.UncompressedPoint(ecPoint)));
        return ecdsa.ExportSubjectPublicKeyInfo();
    }
}
