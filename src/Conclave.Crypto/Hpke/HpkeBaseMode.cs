using System.Security.Cryptography;

namespace Conclave.Crypto.Hpke;

/// <summary>
/// Single-shot HPKE (RFC 9180 §6.1) in base mode with DHKEM(P-256, HKDF-SHA256), HKDF-SHA256 and
/// AES-128-GCM: one message per encapsulation, sealed at sequence number 0, so the nonce is
/// base_nonce itself (§5.2). The recipient's Diffie-Hellman step goes through
/// <see cref="IHpkeRecipient"/>, so a private key on a token is used where it lives.
/// </summary>
public static class HpkeBaseMode
{
    /// <summary>The AEAD tag that every ciphertext ends with.</summary>
    public const int TagBytes = HpkeKeySchedule.TagBytes;

    /// <summary>SealBase(pkR, info, aad, pt) with a fresh ephemeral key pair.</summary>
    /// <param name="recipientPublicKey">pkR, a 65-byte uncompressed point; validated (§7.1.4).</param>
    public static HpkeSealed SealBase(ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        using var ephemeral = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        return SealBase(ephemeral, recipientPublicKey, info, aad, plaintext);
    }

    /// <summary>SealBase with the ephemeral key pair given: what RFC 9180's test vectors fix through ikmE.</summary>
    internal static HpkeSealed SealBase(ECDiffieHellman ephemeral, ReadOnlySpan<byte> recipientPublicKey, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> plaintext)
    {
        if (!P256PublicKey.IsValidPoint(recipientPublicKey)) throw new ArgumentException("the recipient public key is not an uncompressed P-256 point on the curve", nameof(recipientPublicKey));
        var sharedSecret = DhKemP256.Encap(ephemeral, recipientPublicKey, out var enc);
        Span<byte> key = stackalloc byte[HpkeKeySchedule.KeyBytes];
        Span<byte> nonce = stackalloc byte[HpkeKeySchedule.NonceBytes];
        try
        {
            HpkeKeySchedule.Derive(sharedSecret, info, key, nonce);
            var ciphertext = new byte[plaintext.Length + TagBytes];
            using var aead = new AesGcm(key, TagBytes);
            aead.Encrypt(nonce, plaintext, ciphertext.AsSpan(0, plaintext.Length), ciphertext.AsSpan(plaintext.Length), aad);
            return new HpkeSealed(enc, ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>
    /// OpenBase(enc, skR, info, aad, ct): the plaintext, or <see cref="HpkeOpenException"/> when
    /// enc is not a point on P-256 (checked before the recipient's key is used, §7.1.4) or the
    /// ciphertext does not authenticate under this key, info and aad.
    /// </summary>
    public static byte[] OpenBase(IHpkeRecipient recipient, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> info, ReadOnlySpan<byte> aad, ReadOnlySpan<byte> ciphertext)
    {
        if (!P256PublicKey.IsValidPoint(enc)) throw new HpkeOpenException("enc is not an uncompressed P-256 point on the curve");
        if (ciphertext.Length < TagBytes) throw new HpkeOpenException($"the ciphertext is {ciphertext.Length} bytes, shorter than its {TagBytes}-byte tag");
        var sharedSecret = DhKemP256.Decap(recipient, enc);
        Span<byte> key = stackalloc byte[HpkeKeySchedule.KeyBytes];
        Span<byte> nonce = stackalloc byte[HpkeKeySchedule.NonceBytes];
        int plaintextLength = ciphertext.Length - TagBytes;
        var plaintext = new byte[plaintextLength];
        try
        {
            HpkeKeySchedule.Derive(sharedSecret, info, key, nonce);
            using var aead = new AesGcm(key, TagBytes);
            aead.Decrypt(nonce, ciphertext[..plaintextLength], ciphertext[plaintextLength..], plaintext, aad);
            return plaintext;
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new HpkeOpenException("the ciphertext does not authenticate under this recipient key, info and aad", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(sharedSecret);
            CryptographicOperations.ZeroMemory(key);
        }
    }
}
