namespace Conclave.Media.Ice;

/// <summary>What became of one Binding request.</summary>
public enum IceCheckOutcome
{
    /// <summary>Authenticated and answered with a success response.</summary>
    Answered,
    /// <summary>Answered, and the controlling agent nominated this pair (USE-CANDIDATE).</summary>
    AnsweredNominated,
    /// <summary>Answered with 487 Role Conflict: the peer claims to be controlled too (RFC 8445 §7.3.1.1).</summary>
    RoleConflict,
    Malformed,
    NotBindingRequest,
    UnknownUsername,
    BadIntegrity,
    BadFingerprint,
}
