using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Conclave.Keys.Roles;

namespace Conclave.Keys;

/// <summary>
/// Lets .NET's CertificateRequest sign certificates with a role's key on the token:
/// ECDSA with SHA-256 (RFC 5758 §3.2), the private key never in this process.
/// </summary>
internal sealed class TokenSignatureGenerator(Token token, KeyRole role) : X509SignatureGenerator
{
    /// <summary>DER of AlgorithmIdentifier { ecdsa-with-SHA256 } with absent parameters (RFC 5758 §3.2).</summary>
    private static readonly byte[] EcdsaWithSha256 = Convert.FromHexString("300A06082A8648CE3D040302");

    public override byte[] GetSignatureAlgorithmIdentifier(HashAlgorithmName hashAlgorithm) =>
        hashAlgorithm == HashAlgorithmName.SHA256 ? EcdsaWithSha256 : throw new TokenException($"the token signs certificates with SHA-256 only, not {hashAlgorithm.Name}");

    public override byte[] SignData(byte[] data, HashAlgorithmName hashAlgorithm) => token.SignDer(role, data);

    protected override PublicKey BuildPublicKey()
    {
        using var ecdsa = ECDsa.Create();
        ecdsa.ImportSubjectPublicKeyInfo(token.ExportPublicKey(role), out _);
        return PublicKey.CreateFromSubjectPublicKeyInfo(ecdsa.ExportSubjectPublicKeyInfo(), out _);
    }
}
