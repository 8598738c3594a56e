using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Testing;

/// <summary>Audit checkpoints signed with the token's audit key, as conclaved signs them.</summary>
public sealed class TokenAuditSigner(Token token) : IAuditSigner
{
    public byte[] SignDer(ReadOnlySpan<byte> data) => token.SignDer(KeyRole.AuditSigning, data);
}
