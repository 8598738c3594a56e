using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Daemon;

/// <summary>
/// Signs the audit log's checkpoints with the token's audit key: the adapter between the log
/// (Crypto) and the token (Keys), which may not see each other. The tests sign their logs with
/// it too, as conclaved does.
/// </summary>
public sealed class TokenAuditSigner(Token token) : IAuditSigner
{
    public byte[] SignDer(ReadOnlySpan<byte> data) => token.SignDer(KeyRole.AuditSigning, data);
}
