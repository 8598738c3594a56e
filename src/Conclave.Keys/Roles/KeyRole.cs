namespace Conclave.Keys.Roles;

/// <summary>The appliance's long-term keys that live on a token, one per role.</summary>
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
    /// <summary>P-256 ECDH key that opens escrowed recording secrets (on the compliance token).</summary>
    ComplianceEscrow,
}

public enum KeyKind
{
    EcSigning,
    EcAgreement,
    AesWrapping,
}

/// <summary>How each role's key is made and found: its kind and its label (CKA_LABEL and CKA_ID).</summary>
public static class KeyRoles
{
    public static IReadOnlyList<KeyRole> All { get; } = Enum.GetValues<KeyRole>();

    public static KeyKind KindOf(KeyRole role) => role switch
    {
        KeyRole.StorageKek => KeyKind.AesWrapping,
        KeyRole.ComplianceEscrow => KeyKind.EcAgreement,
        _ => KeyKind.EcSigning,
    };

    public static string DefaultLabel(KeyRole role) => role switch
    {
        KeyRole.TlsIdentity => "conclave-tls",
        KeyRole.CredentialCa => "conclave-credential-ca",
        KeyRole.AuditSigning => "conclave-audit",
        KeyRole.StorageKek => "conclave-storage-kek",
        _ => "conclave-compliance-escrow",
    };
}
