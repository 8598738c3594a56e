using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// Data keys wrapped under a storage KEK on the token with AES key wrap with padding
/// (RFC 5649, CKM_AES_KEY_WRAP_PAD). The data key passes through the token as a session
/// object, destroyed at once; the KEK never leaves it.
/// </summary>
/// <param name="storageKek">The configured storage KEK.</param>
/// <param name="kekLabel">The KEK's label: null for the configured storage KEK, or an older one during rotation.</param>
internal sealed class AesKeyWrapper(TokenSession token, RoleKey storageKek, string? kekLabel)
{
    public byte[] Wrap(ReadOnlySpan<byte> dataKey)
    {
        var value = dataKey.ToArray();
        try
        {
            return token.Run(session =>
            {
                var kek = Kek(session);
                var attributes = session.Factories.ObjectAttributeFactory;
                var imported = session.CreateObject(
                [
                    attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    attributes.Create(CKA.CKA_TOKEN, false),
                    attributes.Create(CKA.CKA_EXTRACTABLE, true),
                    attributes.Create(CKA.CKA_VALUE, value),
                ]);
                try
                {
                    return session.WrapKey(session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD), kek, imported);
                }
                finally
                {
                    session.DestroyObject(imported);
                }
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
        }
    }

    /// <summary>A wrapped key that was altered fails RFC 5649's integrity check and is refused.</summary>
    public byte[] Unwrap(ReadOnlySpan<byte> wrapped)
    {
        var input = wrapped.ToArray();
        return token.Run(session =>
        {
            var kek = Kek(session);
            var attributes = session.Factories.ObjectAttributeFactory;
            IObjectHandle key;
            try
            {
                key = session.UnwrapKey(session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD), kek, input,
                [
                    attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    attributes.Create(CKA.CKA_TOKEN, false),
                    attributes.Create(CKA.CKA_SENSITIVE, false),
                    attributes.Create(CKA.CKA_EXTRACTABLE, true),
                ]);
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_WRAPPED_KEY_INVALID or CKR.CKR_WRAPPED_KEY_LEN_RANGE or CKR.CKR_ENCRYPTED_DATA_INVALID
                or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_FUNCTION_FAILED or CKR.CKR_GENERAL_ERROR)
            {
                throw new TokenException("the wrapped data key is corrupt or was wrapped by another key");
            }
            try
            {
                return session.GetAttributeValue(key, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
            }
            finally
            {
                session.DestroyObject(key);
            }
        });
    }

    /// <summary>The configured KEK's handle is cached like every role key's; an older one is looked up each time.</summary>
    private IObjectHandle Kek(ISession session) => kekLabel is null
        ? token.Keys.Require(session, storageKek, CKO.CKO_SECRET_KEY)
        : TokenObjects.FindObject(session, CKO.CKO_SECRET_KEY, kekLabel) ?? throw new TokenException($"token '{token.Label}' has no storage key labelled '{kekLabel}'");
}
