using Conclave.Crypto.Audit;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Daemon;

/// <summary>The domain's audit port, written to the token-signed hash-chained log (docs/audit-log.md).</summary>
internal sealed class AuditTrail(AuditLog log) : IAuditTrail
{
    public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome) =>
        log.Append(actor.Text, action.Name, target.Text, outcome.Text);
}
