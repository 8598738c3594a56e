using System.Security.Cryptography;
using Conclave.Media.Dtls;
using Org.BouncyCastle.Asn1.Sec;
using Org.BouncyCastle.Asn1.X509;
using Org.BouncyCastle.Crypto;
using Org.BouncyCastle.Crypto.Generators;
using Org.BouncyCastle.Crypto.Operators;
using Org.BouncyCastle.Crypto.Parameters;
using Org.BouncyCastle.Math;
using Org.BouncyCastle.Security;
using Org.BouncyCastle.X509;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// A participant's DTLS identity, as a browser makes one per RTCPeerConnection: a fresh
/// ECDSA P-256 key in a self-signed certificate, trusted only through the a=fingerprint
/// of its SDP answer (RFC 8122, RFC 5763 §5).
/// </summary>
internal sealed class ParticipantCertificate
{
    private ParticipantCertificate(X509Certificate certificate, AsymmetricKeyParameter privateKey)
    {
        Certificate = certificate;
        PrivateKey = privateKey;
        Sha256Fingerprint = DtlsCertificate.FingerprintOf(certificate.GetEncoded());
    }

    public X509Certificate Certificate { get; }
    public AsymmetricKeyParameter PrivateKey { get; }

    /// <summary>"AB:CD:…" as a=fingerprint:sha-256 writes it.</summary>
    public string Sha256Fingerprint { get; }

    public static ParticipantCertificate Create()
    {
        var random = new SecureRandom();
        var generator = new ECKeyPairGenerator();
        generator.Init(new ECKeyGenerationParameters(SecObjectIdentifiers.SecP256r1, random));
        var keyPair = generator.GenerateKeyPair();
        var name = new X509Name($"CN=participant-{Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(4))}");
        var builder = new X509V3CertificateGenerator();
        builder.SetSerialNumber(new BigInteger(1, RandomNumberGenerator.GetBytes(8)));
        builder.SetIssuerDN(name);
        builder.SetSubjectDN(name);
        builder.SetNotBefore(DateTime.UtcNow.AddDays(-1));
        builder.SetNotAfter(DateTime.UtcNow.AddDays(1));
        builder.SetPublicKey(keyPair.Public);
        return new ParticipantCertificate(builder.Generate(new Asn1SignatureFactory("SHA256WITHECDSA", keyPair.Private, random)), keyPair.Private);
    }
}
