using Conclave.Crypto.Audit;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Daemon;

/// <summary>
/// The domain's audit port, written to the token-signed hash-chained log (docs/audit-log.md).
/// What lets someone in or changes something is on disk before its caller goes on (the
/// caller waits for the batch that carries it); a refusal grants nothing, so its caller
/// does not wait: it is written with the next batch. While the log cannot write, nobody
/// waits (docs/threat-model.md, "The audit log").
/// </summary>
internal sealed class AuditTrail(AuditLog log) : IAuditTrail
{
    public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome)
    {
        var written = log.AppendAsync(actor.Text, action.Name, target.Text, outcome.Text);
        if (!outcome.IsRefusal) written.GetAwaiter().GetResult();
    }
}
