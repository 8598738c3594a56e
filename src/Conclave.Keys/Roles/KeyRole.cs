namespace Conclave.Keys.Roles;

/// <summary>
/// The appliance's long-term keys, one per role, on the appliance token that conclaved
/// opens. The compliance token's keys are <see cref="ComplianceKeyRole"/>s: a separate type,
/// so neither token can be provisioned with the other's roles.
/// </summary>
public enum KeyRole
{
    /// <summary>P-256 key of the HTTPS certificate (console and signalling).</summary>
    TlsIdentity,
    /// <summary>P-256 key that signs MLS credentials of admitted users.</summary>
    CredentialCa,
    /// <summary>P-256 key that signs checkpoints of the audit log.</summary>
    AuditSigning,
    /// <summary>AES-256 key-encryption key of everything stored at rest.</summary>
    StorageKek,
}

public enum KeyKind
{
    EcSigning,
    EcAgreement,
    AesWrapping,
}

/// <summary>How each appliance role's key is made and found: its kind and its label (CKA_LABEL and CKA_ID).</summary>
public static class KeyRoles
{
    /// <summary>Every role of the appliance token.</summary>
    public static IReadOnlyList<KeyRole> Appliance { get; } = Enum.GetValues<KeyRole>();

    public static KeyKind KindOf(KeyRole role) => role == KeyRole.StorageKek ? KeyKind.AesWrapping : KeyKind.EcSigning;

    public static string DefaultLabel(KeyRole role) => role switch
    {
        KeyRole.TlsIdentity => "conclave-tls",
        KeyRole.CredentialCa => "conclave-credential-ca",
        KeyRole.AuditSigning => "conclave-audit",
        _ => "conclave-storage-kek",
    };
}
