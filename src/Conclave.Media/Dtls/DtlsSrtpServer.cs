using Conclave.Media.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Conclave.Media.Dtls;

/// <summary>
/// BouncyCastle's server side of one DTLS-SRTP handshake: DTLS 1.2 only, ECDHE-ECDSA
/// with AES-GCM, use_srtp (RFC 5764 §4.1), a mandatory client certificate whose
/// fingerprint must match the browser's SDP (RFC 5763 §5), and the SRTP keys
/// exported once the handshake completes.
/// </summary>
internal sealed class DtlsSrtpServer : DefaultTlsServer
{
    /// <summary>GCM first: one pass per packet (RFC 7714); AES-CM for peers without it.</summary>
    private static readonly int[] ProfilePreference = [(int)SrtpProfile.AeadAes128Gcm, (int)SrtpProfile.AesCm128HmacSha1_80];

    private readonly BcTlsCrypto _crypto;
    private readonly DtlsCertificate _certificate;
    private readonly Func<TimeSpan, string?> _waitForExpectedFingerprint;
    private readonly int _handshakeTimeoutMs;
    private SrtpProfile _profile;

    public DtlsSrtpServer(BcTlsCrypto crypto, DtlsCertificate certificate, Func<TimeSpan, string?> waitForExpectedFingerprint, int handshakeTimeoutMs)
        : base(crypto)
    {
        _crypto = crypto;
        _certificate = certificate;
        _waitForExpectedFingerprint = waitForExpectedFingerprint;
        _handshakeTimeoutMs = handshakeTimeoutMs;
    }

    public DtlsSrtpKeys? Keys { get; private set; }

    public string? FailureReason { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
    ];

    public override int GetHandshakeTimeoutMillis() => _handshakeTimeoutMs;

    protected override TlsCredentialedSigner GetECDsaSignerCredentials()
    {
        var chain = new Certificate([_crypto.CreateCertificate(_certificate.Certificate.GetEncoded())]);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), _crypto, _certificate.PrivateKey,
            chain, new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }

    public override void ProcessClientExtensions(IDictionary<int, byte[]> clientExtensions)
    {
        base.ProcessClientExtensions(clientExtensions);
        var offered = TlsSrtpUtilities.GetUseSrtpExtension(clientExtensions);
        if (offered is null)
        {
            Fail("the client offered no use_srtp extension (RFC 5764 §4.1.1)", AlertDescription.handshake_failure);
        }
        foreach (int profile in ProfilePreference)
        {
            if (offered!.ProtectionProfiles.Contains(profile))
            {
                _profile = (SrtpProfile)profile;
                return;
            }
        }
        Fail("no SRTP protection profile in common (the appliance supports 0x0007 and 0x0001)", AlertDescription.handshake_failure);
    }

    public override IDictionary<int, byte[]> GetServerExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetServerExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData([(int)_profile], TlsUtilities.EmptyBytes));
        return extensions;
    }

    /// <summary>RFC 5763 §5: the client must present a certificate; its fingerprint is checked below.</summary>
    public override CertificateRequest GetCertificateRequest()
    {
        var algorithms = new List<SignatureAndHashAlgorithm>
        {
            new(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa),
            new(HashAlgorithm.sha384, SignatureAlgorithm.ecdsa),
            new(HashAlgorithm.sha256, SignatureAlgorithm.rsa),
            SignatureAndHashAlgorithm.rsa_pss_rsae_sha256,
        };
        return new CertificateRequest([ClientCertificateType.ecdsa_sign, ClientCertificateType.rsa_sign], algorithms, null);
    }

    public override void NotifyClientCertificate(Certificate clientCertificate)
    {
        if (clientCertificate is null || clientCertificate.IsEmpty)
        {
            Fail("the client sent no certificate", AlertDescription.handshake_failure);
        }
        string actual = DtlsCertificate.FingerprintOf(clientCertificate!.GetCertificateAt(0).GetEncoded());
        // The SDP answer travels by signalling and may trail the handshake slightly.
        string? expected = _waitForExpectedFingerprint(TimeSpan.FromSeconds(5));
        if (expected is null)
        {
            Fail("no a=fingerprint from the browser's answer arrived within 5 s", AlertDescription.bad_certificate);
        }
        if (!string.Equals(actual, expected, StringComparison.OrdinalIgnoreCase))
        {
            Fail("the client certificate does not match the a=fingerprint of its SDP answer", AlertDescription.bad_certificate);
        }
    }

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        // The SRTP keys are exported keying material (RFC 5764 §4.2); ExportKeyingMaterial
        // works only here, before BouncyCastle clears the handshake state.
        var material = m_context.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", null, SrtpProfiles.KeyingMaterialLength(_profile));
        Keys = DtlsSrtpKeys.FromKeyingMaterial(_profile, material);
        Array.Clear(material);
    }

    private void Fail(string reason, short alert)
    {
        FailureReason = reason;
        throw new TlsFatalAlert(alert, reason);
    }
}
