using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Meetings.Audit;

namespace Conclave.Daemon;

/// <summary>
/// The daemon's hold on the token: opened once at start with the PIN from the systemd
/// credential (or, in development, the state directory's 0600 file), every role key
/// checked, the HTTPS certificate made for the token's TLS key, and the audit log
/// signed by the token's audit key.
/// </summary>
internal sealed class TokenCustody : IDisposable
{
    private const int TokenExitCode = 4;

    private TokenCustody(Token token, X509Certificate2 certificate, AuditLog audit)
    {
        Token = token;
        Certificate = certificate;
        Audit = audit;
    }

    public Token Token { get; }
    public X509Certificate2 Certificate { get; }
    public AuditLog Audit { get; }

    public static TokenCustody Open(ValidatedOptions options)
    {
        var settings = options.Token;
        byte[] pin = [];
        Token? token = null;
        try
        {
            if (settings.Development) DevelopmentToken.UseConfiguration(options.StateDirectory);
            pin = TokenPin.Read(options.StateDirectory, allowDevelopmentFile: settings.Development);
            token = Token.Open(new TokenOptions { ModulePath = settings.ModulePath, TokenLabel = settings.Label },
                () => TokenPin.Read(options.StateDirectory, allowDevelopmentFile: settings.Development));
            foreach (var role in KeyRoles.All)
            {
                if (role == KeyRole.ComplianceEscrow) continue; // lives on the compliance officers' token
                if (!KeyProvisioner.Inspect(token, role).Found)
                {
                    throw new TokenException($"token '{settings.Label}' has no {role} key: run conclavectl token provision");
                }
            }
            if (OperatingSystem.IsWindows()) throw new TokenException("the appliance runs on Linux only");
            var certificate = TokenTlsCertificate.Load(token, pin);
            var openToken = token;
            var audit = AuditLog.Open(Path.Combine(options.StateDirectory, "audit.log"), new TokenAuditSigner(token),
                new AuditLogOptions { OnCheckpoint = anchor => openToken.WriteData(AuditLog.AnchorLabel, anchor.ToBytes()) });
            var trail = new AuditTrail(audit);
            trail.TokenOpened(settings.Label, settings.ModulePath);
            trail.HttpsKeyUsed(KeyRole.TlsIdentity.ToString(), certificate.Thumbprint, certificate.NotAfter);
            return new TokenCustody(token, certificate, audit);
        }
        catch (TokenException e)
        {
            token?.Dispose();
            throw new StartupException($"token: {e.Message}", TokenExitCode);
        }
        catch (InvalidDataException e)
        {
            token?.Dispose();
            throw new StartupException($"audit log: {e.Message}", TokenExitCode);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pin);
        }
    }

    public void Dispose()
    {
        Audit.Close();
        Certificate.Dispose();
        Token.Dispose();
    }
}
