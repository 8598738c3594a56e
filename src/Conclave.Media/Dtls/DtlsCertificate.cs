using System.Security.Cryptography;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Conclave.Media.Dtls;

/// <summary>
/// The DTLS certificate of this process: an ephemeral ECDSA P-256 key, never stored.
/// Browsers trust it by its SHA-256 fingerprint, which reaches them in the SDP over
/// the TLS-protected signalling channel (RFC 8122, RFC 5763 §5).
/// </summary>
public sealed class DtlsCertificate : IDisposable
{
    private DtlsCertificate(X509Certificate certificate, AsymmetricKeyParameter privateKey)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        Sha256Fingerprint = FingerprintOf(certificate.GetEncoded());
    }

    internal X509Certificate Certificate { get; }
    internal AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>"AB:CD:…" as a=fingerprint:sha-256 writes it.</summary>
    public string Sha256Fingerprint { get; }

    public static DtlsCertificate CreateSelfSigned()
    {
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var keyPair = generator.GenerateKeyPair();
        var name = new X509Name($"CN=conclave-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(new BigInteger(1, RandomNumberGenerator.GetBytes(8)));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        // A day of slack for peers whose clock is behind; 30 days outlives any process.
        builder.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        builder.SetNotAfter(DateTime.UtcNow.AddDays(30));
        builder.SetPublicKey(keyPair.Public);
        var certificate = builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random));
        return new DtlsCertificate(certificate, keyPair.Private);
    }

    /// <summary>SHA-256 of a DER certificate, upper-case hex pairs joined by colons (RFC 8122 §5).</summary>
    public static string FingerprintOf(ReadOnlySpan<byte> derCertificate) =>
        string.Join(':', Convert.ToHexString(SHA256.HashData(derCertificate)).Chunk(2).Select(pair => new string(pair)));

    public void Dispose()
    {
        // BouncyCastle keys are managed objects without a wipe; dropping them is all there is.
    }
}
