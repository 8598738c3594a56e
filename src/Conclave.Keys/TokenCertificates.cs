using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Conclave.Keys.Pkcs11;
using Conclave.Keys.Roles;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys;

/// <summary>
/// The appliance's certificates, kept on the token beside their keys (CKO_CERTIFICATE,
/// labelled like the key): a self-signed credential CA, and the HTTPS certificate it
/// issues for the TLS key. Both are signed on the token.
/// </summary>
public static class TokenCertificates
{
    public static readonly TimeSpan CaValidity = TimeSpan.FromDays(5 * 365);
    public static readonly TimeSpan TlsValidity = TimeSpan.FromDays(365);

    /// <summary>Issues whichever of the two certificates the token lacks; returns the roles issued.</summary>
    public static IReadOnlyList<KeyRole> IssueMissing(Token token, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        var issued = new List<KeyRole>();
        var ca = Read(token, KeyRole.CredentialCa);
        if (ca is null)
        {
            ca = IssueCa(token);
            Store(token, KeyRole.CredentialCa, ca);
            issued.Add(KeyRole.CredentialCa);
        }
        if (Read(token, KeyRole.TlsIdentity) is null)
        {
            Store(token, KeyRole.TlsIdentity, IssueTls(token, ca, dnsNames, addresses));
            issued.Add(KeyRole.TlsIdentity);
        }
        return issued;
    }

    /// <summary>The certificate stored for a role's key, or null.</summary>
    public static X509Certificate2? Read(Token token, KeyRole role) => token.Session.Run(session =>
    {
        var found = TokenObjects.FindObject(session, CKO.CKO_CERTIFICATE, token.Options.LabelOf(role));
        return found is null ? null : X509CertificateLoader.LoadCertificate(session.GetAttributeValue(found, [CKA.CKA_VALUE])[0].GetValueAsByteArray());
    });

    private static X509Certificate2 IssueCa(Token token)
    {
        var generator = new TokenSignatureGenerator(token, KeyRole.CredentialCa);
        var subject = new X500DistinguishedName("CN=Conclave credential CA");
        var request = new CertificateRequest(subject, generator.PublicKey, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, true, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign | X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(subject, generator, now.AddMinutes(-5), now.Add(CaValidity), RandomNumberGenerator.GetBytes(16));
    }

    private static X509Certificate2 IssueTls(Token token, X509Certificate2 ca, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses)
    {
        var tlsKey = new TokenSignatureGenerator(token, KeyRole.TlsIdentity).PublicKey;
        var request = new CertificateRequest(new X500DistinguishedName("CN=Conclave appliance"), tlsKey, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames) names.AddDnsName(dns);
        foreach (var address in addresses) names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(ca, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        var now = DateTimeOffset.UtcNow;
        return request.Create(ca.SubjectName, new TokenSignatureGenerator(token, KeyRole.CredentialCa), now.AddMinutes(-5), now.Add(TlsValidity), RandomNumberGenerator.GetBytes(16));
    }

    private static void Store(Token token, KeyRole role, X509Certificate2 certificate) => token.Session.Run(session =>
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        string label = token.Options.LabelOf(role);
        session.CreateObject(
        [
            attributes.Create(CKA.CKA_CLASS, CKO.CKO_CERTIFICATE),
            attributes.Create(CKA.CKA_CERTIFICATE_TYPE, CKC.CKC_X_509),
            attributes.Create(CKA.CKA_TOKEN, true),
            attributes.Create(CKA.CKA_PRIVATE, false),
            attributes.Create(CKA.CKA_LABEL, label),
            attributes.Create(CKA.CKA_ID, System.Text.Encoding.UTF8.GetBytes(label)),
            attributes.Create(CKA.CKA_SUBJECT, certificate.SubjectName.RawData),
            attributes.Create(CKA.CKA_VALUE, certificate.RawData),
        ]);
    });
}
