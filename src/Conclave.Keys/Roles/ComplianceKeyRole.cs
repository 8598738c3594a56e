namespace Conclave.Keys.Roles;

/// <summary>
/// The compliance token's keys, which conclaved never opens: two escrow keys (recordings are
/// escrowed to every registered key, so losing one key or token loses nothing) and the key
/// that signs export manifests (docs/recording.md, "Tokens: appliance and compliance").
/// </summary>
public enum ComplianceKeyRole
{
    /// <summary>P-256 ECDH key that opens escrowed epochs (CKM_ECDH1_DERIVE: HPKE's DH, RFC 9180 §4.1).</summary>
    Escrow1,
    /// <summary>The second escrow key.</summary>
    Escrow2,
    /// <summary>P-256 ECDSA key that signs export manifests.</summary>
    Signing,
}

/// <summary>The compliance roles' kinds and their fixed labels.</summary>
public static class ComplianceKeyRoles
{
    /// <summary>
    /// Every compliance key's label starts so. conclaved refuses to start when its token holds
    /// a private key labelled so: a compliance key must never be where the daemon logs in.
    /// </summary>
    public const string LabelPrefix = "conclave-compliance-";

    public static IReadOnlyList<ComplianceKeyRole> All { get; } = Enum.GetValues<ComplianceKeyRole>();

    /// <summary>The escrow keys, in the order they are registered on the appliance token.</summary>
    public static IReadOnlyList<ComplianceKeyRole> Escrow { get; } = [ComplianceKeyRole.Escrow1, ComplianceKeyRole.Escrow2];

    public static KeyKind KindOf(ComplianceKeyRole role) => role == ComplianceKeyRole.Signing ? KeyKind.EcSigning : KeyKind.EcAgreement;

    public static string LabelOf(ComplianceKeyRole role) => role switch
    {
        ComplianceKeyRole.Escrow1 => LabelPrefix + "escrow-1",
        ComplianceKeyRole.Escrow2 => LabelPrefix + "escrow-2",
        _ => LabelPrefix + "signing",
    };
}
