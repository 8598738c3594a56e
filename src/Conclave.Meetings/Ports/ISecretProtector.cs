namespace Conclave.Meetings.Ports;

/// <summary>
/// Seals small secrets kept at rest (TOTP seeds): the daemon backs it with sealed
/// envelopes whose data keys the token's storage KEK wraps (docs/sealed-storage.md),
/// so a copy of the database alone does not reveal them.
/// </summary>
public interface ISecretProtector
{
    byte[] Protect(ReadOnlySpan<byte> secret);

    /// <summary>
    /// Opens what <see cref="Protect"/> sealed. Throws <see cref="DomainException"/>
    /// (Unavailable) naming the object when it was altered, or when the key that opens it
    /// cannot be reached.
    /// </summary>
    byte[] Unprotect(ReadOnlySpan<byte> sealedSecret, string objectName);
}
