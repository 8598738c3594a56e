using Conclave.Crypto.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Daemon;

/// <summary>The domain's audit port, written to the token-signed hash-chained log (docs/audit-log.md).</summary>
internal sealed class AuditTrail(AuditLog log) : IAuditTrail
{
    public void Record(string actor, string action, string objectName, string outcome) => log.Append(actor, action, objectName, outcome);
}
