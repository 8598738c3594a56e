using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Tests;

public sealed record AuditRecord(string Actor, string Action, string Object, string Outcome);

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

    public IReadOnlyList<AuditRecord> Of(string action) => Records.Where(r => r.Action == action).ToList();

    public void Record(string actor, string action, string objectName, string outcome)
    {
        lock (_lock) _records.Add(new AuditRecord(actor, action, objectName, outcome));
    }
}
