using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// ECDSA P-256 over SHA-256 with a role's private key on the token. CKM_ECDSA signs a
/// digest hashed here and returns raw r‖s; X.509, TLS and the audit log want the DER
/// SEQUENCE (RFC 3279 §2.2.3), so that is what comes out.
/// </summary>
internal sealed class EcdsaP256Signer(TokenSession token, RoleKey role)
{
    public byte[] SignDer(ReadOnlySpan<byte> data)
    {
        var digest = SHA256.HashData(data);
        return token.Run(session =>
        {
            var key = token.Keys.Require(session, role, CKO.CKO_PRIVATE_KEY);
            var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
            return EcKeyEncoding.RawSignatureToDer(session.Sign(mechanism, key, digest));
        });
    }
}
