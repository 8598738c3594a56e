namespace Conclave.Crypto.Hpke;

/// <summary>What a single-shot seal gives (RFC 9180 §6.1): the encapsulated key and the AEAD ciphertext with its tag.</summary>
/// <param name="Enc">The sender's ephemeral public key, a 65-byte uncompressed point.</param>
public sealed record HpkeSealed(byte[] Enc, byte[] Ciphertext);
