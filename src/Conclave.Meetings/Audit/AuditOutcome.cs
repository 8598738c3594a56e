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

    /// <summary>Refused, and for how long: "refused: not checked, throttled until 2030-03-04 09:00:01Z".</summary>
    public static AuditOutcome RefusedUntil(string reason, DateTimeOffset until) => Refused($"{reason} until {until:u}");
}
