using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Tests;

/// <summary>A record as the log would hold it: actor, object and outcome in their wire forms, the action as declared.</summary>
public sealed record AuditRecord(string Actor, AuditAction Action, string Object, string Outcome);

/// <summary>Keeps every audit record in memory, in order, so a test can say what was written.</summary>
public sealed class RecordingAuditTrail : IAuditTrail
{
    private readonly Lock _lock = new();
    private readonly List<AuditRecord> _records = [];

    public IReadOnlyList<AuditRecord> Records
    {
        get { lock (_lock) return _records.ToList(); }
    }

    public AuditRecord Last => Records[^1];

    public IReadOnlyList<AuditRecord> Of(AuditAction action) => Records.Where(r => r.Action == action).ToList();

    public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome)
    {
        lock (_lock) _records.Add(new AuditRecord(actor.Text, action, target.Text, outcome.Text));
    }
}
