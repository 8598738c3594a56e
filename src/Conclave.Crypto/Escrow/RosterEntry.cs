namespace Conclave.Crypto.Escrow;

/// <summary>
/// One non-blank leaf of an escrowed epoch's ratchet tree (docs/recording.md):
/// <c>struct { uint32 leaf; opaque credential&lt;V&gt;; opaque signature_key&lt;V&gt;; }</c>.
/// </summary>
/// <param name="Credential">The leaf's ConclaveCredential bytes, CA-signed, as the member checked them.</param>
/// <param name="SignatureKey">The leaf's MLS signature public key, a 65-byte uncompressed SEC1 P-256 point.</param>
public sealed record RosterEntry(uint Leaf, byte[] Credential, byte[] SignatureKey)
{
    public const int SignatureKeyBytes = 65;
}
