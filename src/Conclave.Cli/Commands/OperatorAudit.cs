using Conclave.Crypto.Audit;
using Conclave.Keys.Roles;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Cli.Commands;

/// <summary>
/// The appliance's audit log, written by conclavectl while conclaved is stopped (the caller
/// holds the state lock): the same hash chain, signed checkpoints and token anchor the daemon
/// writes, so what an operator does on the box is audited like what happens in the console.
/// </summary>
internal sealed class OperatorAudit : IAuditTrail, IDisposable
{
    private readonly AuditLog _log;

    private OperatorAudit(AuditLog log) => _log = log;

    public static OperatorAudit Open(CommandContext context, Keys.Token token) => new(AuditLog.Open(Path.Combine(context.StateDirectory, "audit.log"),
        new TokenAuditSigner(token), new AuditLogOptions { OnCheckpoint = anchor => token.WriteData(AuditLog.AnchorLabel, anchor.ToBytes()) }));

    public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome) =>
        _log.Append(actor.Text, action.Name, target.Text, outcome.Text);

    public void Dispose() => _log.Close();

    private sealed class TokenAuditSigner(Keys.Token token) : IAuditSigner
    {
        public byte[] SignDer(ReadOnlySpan<byte> data) => token.SignDer(KeyRole.AuditSigning, data);
    }
}
