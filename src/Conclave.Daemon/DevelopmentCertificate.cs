using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Conclave.Daemon;

/// <summary>
/// A self-signed P-256 certificate for HTTPS, made at each start and kept only in
/// memory. It stands in until the TLS key lives in the token (key custody issue);
/// browsers show a warning for it, which the README explains.
/// </summary>
internal static class DevelopmentCertificate
{
    public static X509Certificate2 Create(IPAddress address)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=Conclave appliance (development)", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        names.AddDnsName("localhost");
        names.AddIpAddress(address.Equals(IPAddress.Any) ? IPAddress.Loopback : address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        return request.CreateSelfSigned(now.AddMinutes(-5), now.AddDays(30));
    }
}
