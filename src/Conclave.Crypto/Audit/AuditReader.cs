namespace Conclave.Crypto.Audit;

/// <summary>Reads records for display (conclavectl audit show); verification is <see cref="AuditVerifier"/>'s job.</summary>
public static class AuditReader
{
    public static IEnumerable<AuditRecord> Read(string path, string? actor = null, string? action = null, DateTimeOffset? since = null)
    {
        int lineNumber = 0;
        foreach (string text in File.ReadLines(path))
        {
            lineNumber++;
            if (!AuditFormat.TryParse(text, lineNumber, out var line, out var error)) throw new InvalidDataException($"{path}: {error}");
            var record = line!.Record;
            if (actor is not null && !record.Actor.Equals(actor, StringComparison.OrdinalIgnoreCase)) continue;
            if (action is not null && !record.Action.Equals(action, StringComparison.OrdinalIgnoreCase)) continue;
            if (since is not null && record.Time < since) continue;
            yield return record;
        }
    }
}
