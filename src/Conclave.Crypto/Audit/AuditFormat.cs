using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Conclave.Crypto.Audit;

/// <summary>
/// The audit log's line format (docs/audit-log.md):
/// <code>
/// {"seq":1,"time":"…","kind":"event","actor":"…","action":"…","object":"…","outcome":"…","prev":"00…00"}␉&lt;hex SHA-256 of the JSON&gt;[␉&lt;base64 DER signature&gt;]
/// </code>
/// Every record names the hash of the one before (a SHA-256 chain); a checkpoint
/// record carries the audit key's signature over its own hash, and so vouches for
/// everything before it.
/// </summary>
internal static class AuditFormat
{
    public const string GenesisHash = "0000000000000000000000000000000000000000000000000000000000000000";

    private static readonly JsonSerializerOptions Json = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    private sealed record Body(long seq, string time, string kind, string actor, string action, string @object, string outcome, string prev);

    public static string Serialize(AuditRecord record) => JsonSerializer.Serialize(new Body(record.Sequence,
        record.Time.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
        record.Kind, record.Actor, record.Action, record.Object, record.Outcome, record.Previous), Json);

    public static string HashOf(string body) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(body)));

    /// <summary>Parses one line; <paramref name="error"/> says why it is not a record, without naming where (the caller does).</summary>
    public static bool TryParse(string line, int lineNumber, out AuditLine? parsed, out string? error)
    {
        parsed = null;
        var fields = line.Split('\t');
        if (fields.Length is < 2 or > 3)
        {
            error = "not an audit record (expected JSON, a tab and a hash)";
            return false;
        }
        try
        {
            var body = JsonSerializer.Deserialize<Body>(fields[0], Json);
            if (body is null || body.kind is null || body.prev is null || body.actor is null || body.action is null || body.@object is null || body.outcome is null)
            {
                error = "a field is missing";
                return false;
            }
            var record = new AuditRecord(body.seq, DateTimeOffset.Parse(body.time, System.Globalization.CultureInfo.InvariantCulture), body.kind,
                body.actor, body.action, body.@object, body.outcome, body.prev);
            parsed = new AuditLine(lineNumber, record, fields[0], fields[1], fields.Length == 3 ? fields[2] : null);
            error = null;
            return true;
        }
        catch (Exception e) when (e is JsonException or FormatException or ArgumentException)
        {
            error = $"unreadable ({e.GetType().Name})";
            return false;
        }
    }
}
