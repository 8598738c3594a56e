namespace Conclave.Meetings.Audit;

/// <summary>How an action ended, as the record's "outcome" field says: "ok", "ok: &lt;detail&gt;" or "refused: &lt;reason&gt;".</summary>
public sealed record AuditOutcome
{
    private AuditOutcome(string text, string? refusal = null)
    {
        Text = text;
        Refusal = refusal;
    }

    /// <summary>The wire form.</summary>
    public string Text { get; }

    /// <summary>Why it was refused, without when a pause ends ("wrong credentials, throttled"); null when it was done.</summary>
    public string? Refusal { get; }

    public bool IsRefusal => Refusal is not null;

    public override string ToString() => Text;

    public static AuditOutcome Ok { get; } = new("ok");

    /// <summary>Done, and what came of it: "ok: 3 on the roster".</summary>
    public static AuditOutcome OkWith(string detail) => new($"ok: {AuditText.Printable(detail)}");

    public static AuditOutcome Refused(string reason)
    {
        string printable = AuditText.Printable(reason);
        return new($"refused: {printable}", printable);
    }

    /// <summary>Refused, and for how long: "refused: not checked, throttled until 2030-03-04 09:00:01Z".</summary>
    public static AuditOutcome RefusedUntil(string reason, DateTimeOffset until)
    {
        string printable = AuditText.Printable(reason);
        return new($"refused: {printable} until {until:u}", printable);
    }
}
