namespace Conclave.Web.Ports;

/// <summary>
/// The MLS Authentication Service's signing key: the credential CA on the appliance's token
/// (docs/architecture.md "Keys"). The daemon implements it over the token; Web never sees
/// PKCS#11. A token that cannot sign right now throws a DomainException of kind Unavailable.
/// </summary>
public interface ICredentialSigner
{
    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, as IEEE P1363 r‖s (64 bytes).</summary>
    byte[] SignP1363(ReadOnlySpan<byte> data);

    /// <summary>The credential CA's public key as a SubjectPublicKeyInfo (DER), which browsers verify credentials with.</summary>
    byte[] CaPublicKeySpki();
}
