namespace Conclave.Crypto.Audit;

/// <summary>Signs checkpoint hashes with the audit key (on the token in production).</summary>
public interface IAuditSigner
{
    /// <summary>ECDSA P-256 over SHA-256, DER-encoded.</summary>
    byte[] SignDer(ReadOnlySpan<byte> data);
}
