using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Conclave.Keys.Roles;

namespace Conclave.Keys;

/// <summary>
/// The HTTPS certificate whose private key never leaves the token: OpenSSL reaches it
/// through the pkcs11 engine (Debian's libengine-pkcs11-openssl, which finds tokens
/// through p11-kit), so .NET's TLS (and Kestrel) sign handshakes on the token; TokenTlsTests
/// checks TLS 1.3 served this way with openssl s_client.
/// </summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public static class TokenTlsCertificate
{
    /// <summary>
    /// The token's TLS certificate (issued by <see cref="TokenCertificates"/>) with its
    /// private key attached through the engine. The PIN travels only inside this
    /// process, in the engine's key URI (RFC 7512 pin-value), never to a log or an argument.
    /// </summary>
    public static X509Certificate2 Load(Token token, ReadOnlySpan<byte> pin)
    {
        using var certificate = TokenCertificates.Read(token, KeyRole.TlsIdentity)
            ?? throw new TokenException($"token '{token.Label}' holds no TLS certificate: run conclavectl token provision");
        if (certificate.NotAfter < DateTime.Now) throw new TokenException($"the TLS certificate on token '{token.Label}' expired on {certificate.NotAfter:yyyy-MM-dd}: run conclavectl token rotate tls");
        return certificate.CopyWithPrivateKey(OpenPrivateKey(token, pin, KeyRole.TlsIdentity));
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
