namespace Conclave.Meetings.Ports;

/// <summary>
/// Where every access decision is written: the daemon backs it with the token-signed,
/// hash-chained audit log (docs/audit-log.md). Appending must be durable before it returns.
/// </summary>
public interface IAuditTrail
{
    /// <param name="actor">Who acted: "user:alice", "guest:&lt;invitation&gt;", "anonymous@127.0.0.1".</param>
    /// <param name="action">Dotted verb: "login", "meeting.create", "admission.refuse".</param>
    /// <param name="objectName">What it acted on: "meeting:&lt;id&gt;", "user:bob".</param>
    /// <param name="outcome">"ok", "refused: &lt;reason&gt;", …</param>
    void Record(string actor, string action, string objectName, string outcome);
}
