namespace Conclave.Meetings.Audit;

/// <summary>How an action ended, as the record's "outcome" field says: "ok", "ok: &lt;detail&gt;" or "refused: &lt;reason&gt;".</summary>
public sealed record AuditOutcome
{
    private AuditOutcome(string text) => Text = text;

    /// <summary>The wire form.</summary>
    public string Text { get; }

    public override string ToString() => Text;

    public static AuditOutcome Ok { get; } = new("ok");

    /// <summary>Done, and what came of it: "ok: 3 on the roster".</summary>
    public static AuditOutcome OkWith(string detail) => new($"ok: {AuditText.Printable(detail)}");

    public static AuditOutcome Refused(string reason) => new($"refused: {AuditText.Printable(reason)}");

    /// <summary>Refused while an account is locked: "refused: locked until &lt;time&gt;", or after <paramref name="reason"/>: "refused: wrong credentials, locked until &lt;time&gt;".</summary>
    public static AuditOutcome RefusedLocked(DateTimeOffset lockedUntil, string? reason = null) =>
        Refused(reason is null ? $"locked until {lockedUntil:u}" : $"{reason}, locked until {lockedUntil:u}");
}
