using Conclave.Meetings.Audit;

namespace Conclave.Meetings.Ports;

/// <summary>
/// Where every access decision is written: the daemon backs it with the token-signed,
/// hash-chained audit log (docs/audit-log.md). A record of what was done must be durable
/// before Record returns; a refusal may be written with the next batch.
/// Callers write through the typed events of <see cref="AuditEvents"/>, which hold the
/// vocabulary; the fields arrive already in their wire forms, untrusted text escaped.
/// </summary>
public interface IAuditTrail
{
    void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome);
}
