using Conclave.Media.Dtls;
using Conclave.Media.Srtp;
using Org.BouncyCastle.Tls;
using Org.BouncyCastle.Tls.Crypto;
using Org.BouncyCastle.Tls.Crypto.Impl.BC;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// The browser's side of DTLS-SRTP, mirroring the appliance's server: DTLS 1.2,
/// ECDHE-ECDSA with AES-GCM, use_srtp offering both profiles (RFC 5764 §4.1.1), the
/// participant's certificate on request, the server's certificate checked against the
/// offer's a=fingerprint (RFC 5763 §5), and the SRTP keys exported on completion.
/// </summary>
internal sealed class DtlsSrtpClient(BcTlsCrypto crypto, DtlsCertificate certificate, string expectedServerFingerprint, int[] offeredProfiles)
    : DefaultTlsClient(crypto)
{
    private const int HandshakeTimeoutMs = 10_000;

    private SrtpProfile _profile;

    /// <summary>Set once the handshake completed.</summary>
    public DtlsSrtpKeys? Keys { get; private set; }

    protected override ProtocolVersion[] GetSupportedVersions() => ProtocolVersion.DTLSv12.Only();

    protected override int[] GetSupportedCipherSuites() =>
    [
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,
        CipherSuite.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,
    ];

    public override int GetHandshakeTimeoutMillis() => HandshakeTimeoutMs;

    public override IDictionary<int, byte[]> GetClientExtensions()
    {
        var extensions = TlsExtensionsUtilities.EnsureExtensionsInitialised(base.GetClientExtensions());
        TlsSrtpUtilities.AddUseSrtpExtension(extensions, new UseSrtpData(offeredProfiles, TlsUtilities.EmptyBytes));
        return extensions;
    }

    public override void ProcessServerExtensions(IDictionary<int, byte[]> serverExtensions)
    {
        base.ProcessServerExtensions(serverExtensions);
        // RFC 5764 §4.1.1: the server answers with exactly one of the offered profiles.
        var chosen = TlsSrtpUtilities.GetUseSrtpExtension(serverExtensions)
            ?? throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server did not agree to use_srtp");
        if (chosen.ProtectionProfiles.Length != 1 || !offeredProfiles.Contains(chosen.ProtectionProfiles[0]))
        {
            throw new TlsFatalAlert(AlertDescription.illegal_parameter, "the server chose an SRTP profile that was not offered");
        }
        _profile = (SrtpProfile)chosen.ProtectionProfiles[0];
    }

    public override TlsAuthentication GetAuthentication() => new Authentication(this);

    public override void NotifyHandshakeComplete()
    {
        base.NotifyHandshakeComplete();
        // Exporting works only here, before BouncyCastle clears the handshake state.
        var material = m_context.ExportKeyingMaterial("EXTRACTOR-dtls_srtp", null, SrtpProfiles.KeyingMaterialLength(_profile));
        Keys = DtlsSrtpKeys.FromKeyingMaterial(_profile, material);
        Array.Clear(material);
    }

    private sealed class Authentication(DtlsSrtpClient client) : TlsAuthentication
    {
        public void NotifyServerCertificate(TlsServerCertificate serverCertificate)
        {
            var chain = serverCertificate.Certificate;
            if (chain is null || chain.IsEmpty) throw new TlsFatalAlert(AlertDescription.bad_certificate, "the server sent no certificate");
            string actual = DtlsCertificate.FingerprintOf(chain.GetCertificateAt(0).GetEncoded());
            if (!string.Equals(actual, client.ExpectedServerFingerprint, StringComparison.OrdinalIgnoreCase))
            {
                throw new TlsFatalAlert(AlertDescription.bad_certificate, "the server certificate does not match the offer's a=fingerprint");
            }
        }

        public TlsCredentials GetClientCredentials(CertificateRequest certificateRequest) => client.Credentials();
    }

    private string ExpectedServerFingerprint => expectedServerFingerprint;

    private TlsCredentialedSigner Credentials()
    {
        var chain = new Certificate([crypto.CreateCertificate(certificate.Certificate.GetEncoded())]);
        return new BcDefaultTlsCredentialedSigner(new TlsCryptoParameters(m_context), crypto, certificate.PrivateKey,
            chain, new SignatureAndHashAlgorithm(HashAlgorithm.sha256, SignatureAlgorithm.ecdsa));
    }
}
