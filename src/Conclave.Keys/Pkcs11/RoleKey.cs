using Conclave.Keys.Roles;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys.Pkcs11;

/// <summary>A role's key as the token sees it, whichever token it belongs to: the role's name, its label and its kind.</summary>
internal sealed record RoleKey(string Role, string Label, KeyKind Kind)
{
    /// <summary>The class of the key that does the role's work: the AES KEK's secret key, or the EC private key.</summary>
    public CKO KeyClass => Kind == KeyKind.AesWrapping ? CKO.CKO_SECRET_KEY : CKO.CKO_PRIVATE_KEY;

    public static RoleKey Of(KeyRole role, TokenOptions options) => new(role.ToString(), options.LabelOf(role), KeyRoles.KindOf(role));

    public static RoleKey Of(ComplianceKeyRole role) => new(role.ToString(), ComplianceKeyRoles.LabelOf(role), ComplianceKeyRoles.KindOf(role));
}
