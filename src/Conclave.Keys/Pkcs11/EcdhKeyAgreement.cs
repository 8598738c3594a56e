using Net.Pkcs11Interop.Common;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// ECDH on P-256 with a role's private key on the token (CKM_ECDH1_DERIVE with CKD_NULL,
/// SoftHSM2's only KDF): the 32-byte shared x-coordinate goes to the caller's KDF (HPKE,
/// RFC 9180 §4.1); the derived secret is a session object, destroyed once read.
/// </summary>
internal sealed class EcdhKeyAgreement(TokenSession token, RoleKey role)
{
    public byte[] DeriveSharedSecret(ReadOnlySpan<byte> peerUncompressedPoint)
    {
        var peer = peerUncompressedPoint.ToArray();
        return token.Run(session =>
        {
            var key = token.Keys.Require(session, role, CKO.CKO_PRIVATE_KEY);
            var factories = session.Factories;
            var parameters = factories.MechanismParamsFactory.CreateCkEcdh1DeriveParams((ulong)CKD.CKD_NULL, null, peer);
            var mechanism = factories.MechanismFactory.Create(CKM.CKM_ECDH1_DERIVE, parameters);
            var attributes = factories.ObjectAttributeFactory;
            var secret = session.DeriveKey(mechanism, key,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_GENERIC_SECRET),
                attributes.Create(CKA.CKA_TOKEN, false),
                attributes.Create(CKA.CKA_SENSITIVE, false),
                attributes.Create(CKA.CKA_EXTRACTABLE, true),
                attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
            ]);
            try
            {
                return session.GetAttributeValue(secret, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
            }
            finally
            {
                session.DestroyObject(secret);
            }
        });
    }
}
