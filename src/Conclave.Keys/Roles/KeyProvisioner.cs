using Conclave.Keys.Pkcs11;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Roles;

/// <summary>What provisioning did for one role; <paramref name="PublicKey"/> is an EC key's SubjectPublicKeyInfo (DER), null for a secret key.</summary>
public sealed record ProvisionedKey(string Role, string Label, bool Created, byte[]? PublicKey);

/// <summary>How a role's private (or secret) key is protected on the token.</summary>
public sealed record KeyProtection(string Role, bool Found, bool Sensitive, bool Extractable, bool AlwaysSensitive, bool NeverExtractable);

/// <summary>
/// Creates missing role keys on a token: private and secret parts with
/// CKA_SENSITIVE=true and CKA_EXTRACTABLE=false, so they never leave it: a sensitive
/// key's value cannot be read, an unextractable one cannot be wrapped.
/// Existing keys are never overwritten. One provisioner for both tokens, each with its own
/// roles: the appliance's <see cref="KeyRole"/>s on a <see cref="Token"/>, the
/// <see cref="ComplianceKeyRole"/>s on a <see cref="ComplianceToken"/>.
/// </summary>
public static class KeyProvisioner
{
    /// <summary>
    /// The appliance roles. Refused on a token that holds a compliance private key: that is
    /// the compliance token, or an appliance token conclaved would refuse to start with.
    /// </summary>
    public static IReadOnlyList<ProvisionedKey> ProvisionMissing(Token token, IEnumerable<KeyRole> roles)
    {
        if (StrayComplianceKeys.Find(token) is { Count: > 0 } compliance)
        {
            throw new TokenException($"token '{token.Label}' holds compliance keys ({string.Join(", ", compliance)}), which never belong on the appliance token: "
                + "remove them with conclavectl token remove-escrow-key, or provision the compliance token with conclavectl compliance provision");
        }
        return ProvisionMissing(token, roles.Select(role => RoleKey.Of(role, token.Options)));
    }

    /// <summary>The compliance roles; <see cref="ComplianceToken.Open"/> has already refused an appliance token.</summary>
    public static IReadOnlyList<ProvisionedKey> ProvisionMissing(ComplianceToken token, IEnumerable<ComplianceKeyRole> roles) =>
        ProvisionMissing(token.Token, roles.Select(RoleKey.Of));

    private static IReadOnlyList<ProvisionedKey> ProvisionMissing(Token token, IEnumerable<RoleKey> keys)
    {
        var results = new List<ProvisionedKey>();
        foreach (var key in keys)
        {
            bool created = token.Session.Run(session =>
            {
                if (RoleKeyHandles.Find(session, key, key.KeyClass) is not null) return false;
                if (key.Kind == KeyKind.AesWrapping) GenerateKek(session, key.Label);
                else GenerateEcKeyPair(session, key.Label, signing: key.Kind == KeyKind.EcSigning);
                return true;
            });
            results.Add(new ProvisionedKey(key.Role, key.Label, created, key.Kind == KeyKind.AesWrapping ? null : EcPublicKeys.Export(token.Session, key)));
        }
        token.Session.Run(token.Session.Keys.Reload);
        return results;
    }

    /// <summary>
    /// Replaces a signing role's key pair (rotate tls|audit): the old pair is relabelled
    /// <paramref name="retiredLabel"/> (kept: old audit checkpoints still verify with it),
    /// and a new pair takes the configured label.
    /// </summary>
    public static void RotateSigningKey(Token token, KeyRole role, string retiredLabel)
    {
        if (KeyRoles.KindOf(role) != KeyKind.EcSigning) throw new TokenException($"{role} is not a signing key");
        token.RelabelKey(token.Options.LabelOf(role), retiredLabel);
        ProvisionMissing(token, [role]);
    }

    /// <summary>Creates another storage KEK (key rotation); refuses a label already in use.</summary>
    public static void CreateStorageKek(Token token, string label) => token.Session.Run(session =>
    {
        if (TokenObjects.FindLabelled(session, label).Count > 0)
        {
            throw new TokenException($"token '{token.Label}' already has a key labelled '{label}'");
        }
        GenerateKek(session, label);
    });

    public static KeyProtection Inspect(Token token, KeyRole role) => Inspect(token, RoleKey.Of(role, token.Options));

    public static KeyProtection Inspect(ComplianceToken token, ComplianceKeyRole role) => Inspect(token.Token, RoleKey.Of(role));

    private static KeyProtection Inspect(Token token, RoleKey roleKey) => token.Session.Run(session =>
    {
        var key = RoleKeyHandles.Find(session, roleKey, roleKey.KeyClass);
        if (key is null) return new KeyProtection(roleKey.Role, false, false, false, false, false);
        var values = session.GetAttributeValue(key, [CKA.CKA_SENSITIVE, CKA.CKA_EXTRACTABLE, CKA.CKA_ALWAYS_SENSITIVE, CKA.CKA_NEVER_EXTRACTABLE]);
        return new KeyProtection(roleKey.Role, true, values[0].GetValueAsBool(), values[1].GetValueAsBool(), values[2].GetValueAsBool(), values[3].GetValueAsBool());
    });

    /// <summary>A P-256 key pair under <paramref name="label"/>: for ECDSA when <paramref name="signing"/>, else for ECDH (CKA_DERIVE).</summary>
    internal static void GenerateEcKeyPair(ISession session, string label, bool signing)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        var id = System.Text.Encoding.UTF8.GetBytes(label);
        List<IObjectAttribute> publicTemplate =
        [
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_PRIVATE, false),
            attributes.Create(CKA.CKA_LABEL, label),
            attributes.Create(CKA.CKA_ID, id),
            attributes.Create(CKA.CKA_EC_PARAMS, EcKeyEncoding.P256Parameters),
            attributes.Create(CKA.CKA_VERIFY, signing),
        ];
        List<IObjectAttribute> privateTemplate =
        [
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_PRIVATE, true),
            attributes.Create(CKA.CKA_LABEL, label),
            attributes.Create(CKA.CKA_ID, id),
            attributes.Create(CKA.CKA_SENSITIVE, true),
            attributes.Create(CKA.CKA_EXTRACTABLE, false),
            attributes.Create(CKA.CKA_SIGN, signing),
            attributes.Create(CKA.CKA_DERIVE, !signing),
        ];
        session.GenerateKeyPair(session.Factories.MechanismFactory.Create(CKM.CKM_EC_KEY_PAIR_GEN), publicTemplate, privateTemplate, out _, out _);
    }

    private static void GenerateKek(ISession session, string label)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        session.GenerateKey(session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_GEN),
        [
            attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
            attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
            attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_PRIVATE, true),
            attributes.Create(CKA.CKA_LABEL, label),
            attributes.Create(CKA.CKA_ID, System.Text.Encoding.UTF8.GetBytes(label)),
            attributes.Create(CKA.CKA_SENSITIVE, true),
            attributes.Create(CKA.CKA_EXTRACTABLE, false),
            attributes.Create(CKA.CKA_WRAP, true),
            attributes.Create(CKA.CKA_UNWRAP, true),
            attributes.Create(CKA.CKA_ENCRYPT, false),
            attributes.Create(CKA.CKA_DECRYPT, false),
        ]);
    }
}
