using System.Security.Cryptography;

namespace Conclave.Crypto.Hpke;

/// <summary>
/// An HPKE recipient whose P-256 private key is in this process: for tests, vectors and
/// benchmarks. Escrow keys in production live on a token and answer through their own
/// <see cref="IHpkeRecipient"/>.
/// </summary>
public sealed class SoftwareHpkeRecipient : IHpkeRecipient, IDisposable
{
    private readonly ECDiffieHellman _key;

    /// <summary>A recipient with a fresh random key pair.</summary>
    public SoftwareHpkeRecipient()
        : this(ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256))
    {
    }

    private SoftwareHpkeRecipient(ECDiffieHellman key)
    {
        _key = key;
        PublicKey = DhKemP256.SerializePublicKey(key);
    }

    /// <summary>The recipient of private key <paramref name="d"/>: 32 bytes big-endian, 0 &lt; d &lt; n (RFC 9180 §7.1.2).</summary>
    public static SoftwareHpkeRecipient FromPrivateKey(ReadOnlySpan<byte> d) => new(DhKemP256.FromPrivateKey(d));

    public byte[] PublicKey { get; }

    /// <summary>The public key's DER SubjectPublicKeyInfo, as an escrow key is registered and named.</summary>
    public byte[] SubjectPublicKeyInfo => P256PublicKey.ToSubjectPublicKeyInfo(PublicKey);

    public byte[] DeriveSharedSecret(ReadOnlySpan<byte> enc)
    {
        if (!P256PublicKey.IsValidPoint(enc)) throw new ArgumentException("enc is not an uncompressed P-256 point on the curve", nameof(enc));
        using var peer = DhKemP256.ImportPublicKey(enc);
        return _key.DeriveRawSecretAgreement(peer.PublicKey);
    }

    public void Dispose() => _key.Dispose();
}
