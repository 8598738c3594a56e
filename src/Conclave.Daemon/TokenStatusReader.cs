using System.Security.Cryptography;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Web.Ports;

namespace Conclave.Daemon;

/// <summary>The console's Token page, read from the daemon's token (the same facts as conclavectl token status).</summary>
internal sealed class TokenStatusReader(Token token) : ITokenStatusSource
{
    public TokenStatus Read()
    {
        try
        {
            token.EnsureReachable();
            var keys = KeyRoles.Appliance
                .Select(role =>
                {
                    var protection = KeyProvisioner.Inspect(token, role);
                    return new TokenKeyStatus(role.ToString(), token.Options.LabelOf(role), protection.Found, protection.Sensitive, protection.Extractable);
                })
                .ToList();
            var certificates = new List<TokenCertificateStatus>();
            foreach (var role in new[] { KeyRole.CredentialCa, KeyRole.TlsIdentity })
            {
                using var certificate = TokenCertificates.Read(token, role);
                if (certificate is null) continue;
                certificates.Add(new TokenCertificateStatus(role.ToString(), certificate.Subject,
                    Convert.ToHexString(SHA256.HashData(certificate.RawData)), certificate.NotAfter.ToUniversalTime()));
            }
            return new TokenStatus(token.Label, token.Options.ModulePath, true, null, keys, certificates);
        }
        catch (TokenException e)
        {
            return new TokenStatus(token.Label, token.Options.ModulePath, false, e.Message, [], []);
        }
    }

    public string? CredentialCaPem()
    {
        try
        {
            using var certificate = TokenCertificates.Read(token, KeyRole.CredentialCa);
            return certificate?.ExportCertificatePem();
        }
        catch (TokenException)
        {
            return null;
        }
    }
}
