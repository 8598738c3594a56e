using System.Numerics;
using System.Security.Cryptography;

namespace Conclave.Crypto.Hpke;

/// <summary>
/// DHKEM(P-256, HKDF-SHA256), KEM id 0x0010 (RFC 9180 §4.1, §7.1): Nsecret = 32, Nenc = Npk = 65,
/// Nsk = 32. DH(sk, pk) is the x-coordinate of sk·pk, which is what .NET's raw secret agreement
/// and a token's CKM_ECDH1_DERIVE with CKD_NULL both return.
/// </summary>
internal static class DhKemP256
{
    public const int SecretBytes = 32;
    public const int PrivateKeyBytes = 32;

    /// <summary>suite_id = "KEM" ‖ I2OSP(0x0010, 2) (§4.1).</summary>
    private static ReadOnlySpan<byte> SuiteId => [(byte)'K', (byte)'E', (byte)'M', 0x00, 0x10];

    /// <summary>The order n of P-256's base point (SEC 2 §2.4.2).</summary>
    private static readonly BigInteger Order = BigInteger.Parse("0FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551", System.Globalization.NumberStyles.HexNumber);

    /// <summary>
    /// DeriveKeyPair(ikm) (§7.1.3): rejection sampling over LabeledExpand(dkp_prk, "candidate",
    /// counter, 32) until 0 &lt; sk &lt; n. P-256's bitmask is 0xFF, so the candidate is used whole.
    /// </summary>
    public static ECDiffieHellman DeriveKeyPair(ReadOnlySpan<byte> ikm)
    {
        Span<byte> prk = stackalloc byte[HpkeLabels.HashBytes];
        Span<byte> candidate = stackalloc byte[PrivateKeyBytes];
        Span<byte> counter = stackalloc byte[1];
        try
        {
            HpkeLabels.Extract(SuiteId, ReadOnlySpan<byte>.Empty, "dkp_prk"u8, ikm, prk);
            for (int i = 0; i <= byte.MaxValue; i++)
            {
                counter[0] = (byte)i;
                HpkeLabels.Expand(SuiteId, prk, "candidate"u8, counter, candidate);
                if (IsPrivateKey(candidate)) return FromPrivateKey(candidate);
            }
            throw new CryptographicException("DeriveKeyPair found no P-256 private key in 256 candidates (RFC 9180 §7.1.3)");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
            CryptographicOperations.ZeroMemory(candidate);
        }
    }

    /// <summary>A key pair from the 32-byte big-endian scalar d (§7.1.2 DeserializePrivateKey), 0 &lt; d &lt; n.</summary>
    public static ECDiffieHellman FromPrivateKey(ReadOnlySpan<byte> d)
    {
        if (!IsPrivateKey(d)) throw new ArgumentException("a P-256 private key is a 32-byte big-endian scalar d with 0 < d < n", nameof(d));
        var parameters = new ECParameters { Curve = ECCurve.NamedCurves.nistP256, D = d.ToArray() };
        try
        {
            return ECDiffieHellman.Create(parameters);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(parameters.D);
        }
    }

    /// <summary>SerializePublicKey (§7.1.1): 04 ‖ X ‖ Y.</summary>
    public static byte[] SerializePublicKey(ECDiffieHellman key)
    {
        var q = key.ExportParameters(includePrivateParameters: false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    /// <summary>A .NET public key for a point already checked by <see cref="P256PublicKey.IsValidPoint"/>.</summary>
    public static ECDiffieHellman ImportPublicKey(ReadOnlySpan<byte> point) => ECDiffieHellman.Create(new ECParameters
    {
        Curve = ECCurve.NamedCurves.nistP256,
        Q = new ECPoint { X = point.Slice(1, 32).ToArray(), Y = point.Slice(33, 32).ToArray() },
    });

    /// <summary>Encap(pkR) (§4.1) with the given ephemeral key pair: the shared secret; <paramref name="enc"/> = pkEm.</summary>
    public static byte[] Encap(ECDiffieHellman ephemeral, ReadOnlySpan<byte> recipientPublicKey, out byte[] enc)
    {
        enc = SerializePublicKey(ephemeral);
        using var recipient = ImportPublicKey(recipientPublicKey);
        var dh = ephemeral.DeriveRawSecretAgreement(recipient.PublicKey);
        try
        {
            return ExtractAndExpand(dh, enc, recipientPublicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>Decap(enc, skR) (§4.1), the DH step done by whoever holds skR.</summary>
    public static byte[] Decap(IHpkeRecipient recipient, ReadOnlySpan<byte> enc)
    {
        var dh = recipient.DeriveSharedSecret(enc);
        try
        {
            if (dh.Length != SecretBytes) throw new HpkeOpenException($"the recipient's Diffie-Hellman output is {dh.Length} bytes; DHKEM(P-256) needs 32");
            return ExtractAndExpand(dh, enc, recipient.PublicKey);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dh);
        }
    }

    /// <summary>
    /// ExtractAndExpand (§4.1): eae_prk = LabeledExtract("", "eae_prk", dh);
    /// shared_secret = LabeledExpand(eae_prk, "shared_secret", enc ‖ pkRm, 32).
    /// </summary>
    private static byte[] ExtractAndExpand(ReadOnlySpan<byte> dh, ReadOnlySpan<byte> enc, ReadOnlySpan<byte> recipientPublicKey)
    {
        Span<byte> prk = stackalloc byte[HpkeLabels.HashBytes];
        try
        {
            HpkeLabels.Extract(SuiteId, ReadOnlySpan<byte>.Empty, "eae_prk"u8, dh, prk);
            var sharedSecret = new byte[SecretBytes];
            HpkeLabels.Expand(SuiteId, prk, "shared_secret"u8, [.. enc, .. recipientPublicKey], sharedSecret);
            return sharedSecret;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(prk);
        }
    }

    private static bool IsPrivateKey(ReadOnlySpan<byte> d)
    {
        if (d.Length != PrivateKeyBytes) return false;
        var value = new BigInteger(d, isUnsigned: true, isBigEndian: true);
        return !value.IsZero && value < Order;
    }
}
