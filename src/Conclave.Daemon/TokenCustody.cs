using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Meetings.Audit;

namespace Conclave.Daemon;

/// <summary>
/// The daemon's hold on the appliance token, the one token it opens: opened once at start
/// with the PIN from the systemd credential (or, in development, the state directory's 0600
/// file), checked to hold no compliance key and every role key, the HTTPS certificate made
/// for the token's TLS key, and the audit log signed by the token's audit key.
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
            // A compliance key where the daemon logs in would be one it could use (docs/recording.md).
            if (StrayComplianceKeys.Find(token) is { Count: > 0 } stray)
            {
                throw new TokenException($"token '{settings.Label}' holds compliance keys ({string.Join(", ", stray)}), which must live on the compliance token only: "
                    + $"remove them with {StrayComplianceKeys.RemoveCommand}");
            }
            foreach (var role in KeyRoles.Appliance)
            {
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
