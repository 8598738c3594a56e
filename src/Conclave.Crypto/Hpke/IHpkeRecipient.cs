namespace Conclave.Crypto.Hpke;

/// <summary>
/// Whoever holds an HPKE recipient's P-256 private key: software (<see cref="SoftwareHpkeRecipient"/>)
/// or a PKCS#11 token, which never lets the key out and only answers the Diffie-Hellman step.
/// </summary>
public interface IHpkeRecipient
{
    /// <summary>pkR: the 65-byte uncompressed SEC1 point (RFC 9180 §7.1.1 SerializePublicKey).</summary>
    byte[] PublicKey { get; }

    /// <summary>
    /// DH(skR, pkE): the raw 32-byte x-coordinate of skR·pkE (RFC 9180 §7.1.1), exactly what a
    /// token's CKM_ECDH1_DERIVE with CKD_NULL returns. <paramref name="enc"/> has already been
    /// checked to be a point on the curve.
    /// </summary>
    byte[] DeriveSharedSecret(ReadOnlySpan<byte> enc);
}
