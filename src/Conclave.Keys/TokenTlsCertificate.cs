using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Conclave.Keys.Roles;

namespace Conclave.Keys;

/// <summary>
/// The HTTPS certificate whose private key never leaves the token: OpenSSL reaches it
/// through the pkcs11 engine (Debian's libengine-pkcs11-openssl, which finds tokens
/// through p11-kit), so .NET's TLS (and Kestrel) sign handshakes on the token.
/// DESIGN.md measured this to serve TLS 1.3 here.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class TokenTlsCertificate
{
    /// <summary>
    /// A self-signed certificate for the role's key, signed on the token, with the key
    /// attached through the engine. The PIN travels only inside this process, in the
    /// engine's key URI (RFC 7512 pin-value), never to a log or an argument.
    /// </summary>
    public static X509Certificate2 CreateSelfSigned(Token token, ReadOnlySpan<byte> pin, string commonName, IEnumerable<string> dnsNames, IEnumerable<IPAddress> addresses, TimeSpan validity, KeyRole role = KeyRole.TlsIdentity)
    {
        using var key = OpenPrivateKey(token, pin, role);
        var request = new CertificateRequest($"CN={commonName}", key, HashAlgorithmName.SHA256);
        var names = new SubjectAlternativeNameBuilder();
        foreach (var dns in dnsNames) names.AddDnsName(dns);
        foreach (var address in addresses) names.AddIpAddress(address);
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], critical: false));
        var now = DateTimeOffset.UtcNow;
        using var certificate = request.CreateSelfSigned(now.AddMinutes(-5), now.Add(validity));
        // CreateSelfSigned keeps a reference to the engine key; attach a fresh one the caller owns.
        var withKey = X509CertificateLoader.LoadCertificate(certificate.RawData);
        return withKey.CopyWithPrivateKey(OpenPrivateKey(token, pin, role));
    }

    private static ECDsaOpenSsl OpenPrivateKey(Token token, ReadOnlySpan<byte> pin, KeyRole role)
    {
        // RFC 7512: path attributes are percent-encoded.
        string uri = $"pkcs11:token={Uri.EscapeDataString(token.Label)};object={Uri.EscapeDataString(token.Options.LabelOf(role))};type=private;pin-value={Uri.EscapeDataString(Encoding.UTF8.GetString(pin))}";
        try
        {
            using var handle = SafeEvpPKeyHandle.OpenPrivateKeyFromEngine("pkcs11", uri);
            return new ECDsaOpenSsl(handle);
        }
        catch (CryptographicException e)
        {
            // The URI holds the PIN: never let it into the message.
            throw new TokenException($"OpenSSL's pkcs11 engine could not open the {role} key of token '{token.Label}' (is libengine-pkcs11-openssl installed?): {e.GetType().Name}");
        }
    }
}
