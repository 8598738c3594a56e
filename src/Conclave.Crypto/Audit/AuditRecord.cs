namespace Conclave.Crypto.Audit;

/// <summary>One line of the audit log: who did what to which object, and how it ended.</summary>
/// <param name="Sequence">1, 2, 3, … with no gap.</param>
/// <param name="Kind">"event", or "checkpoint" for a signed checkpoint of the chain so far.</param>
/// <param name="Previous">Hex SHA-256 of the previous record (64 zeros for the first).</param>
public sealed record AuditRecord(long Sequence, DateTimeOffset Time, string Kind, string Actor, string Action, string Object, string Outcome, string Previous)
{
    public const string EventKind = "event";
    public const string CheckpointKind = "checkpoint";

    /// <summary>The action of a checkpoint record, by the log itself; every other action but <see cref="LostAction"/> is the domain's (Conclave.Meetings.Audit.AuditAction).</summary>
    public const string CheckpointAction = "checkpoint";

    /// <summary>The action of the log's own record that counts records it could not keep while the disk refused them (<see cref="AuditLogOptions.MaxWaitingRecords"/>).</summary>
    public const string LostAction = "audit.lost";
}

/// <summary>A record as stored: its body, the SHA-256 chain hash over the body, and for checkpoints a signature.</summary>
public sealed record AuditLine(int LineNumber, AuditRecord Record, string Body, string Hash, string? Signature);

/// <summary>
/// A checkpoint (its sequence number and hash) remembered outside the log file: a
/// truncation that ends exactly at an earlier checkpoint is only visible against it.
/// </summary>
public sealed record AuditAnchor(long Sequence, string Hash)
{
    public byte[] ToBytes() => System.Text.Encoding.ASCII.GetBytes($"{Sequence}:{Hash}");

    public static AuditAnchor? FromBytes(byte[]? bytes)
    {
        if (bytes is null) return null;
        var parts = System.Text.Encoding.ASCII.GetString(bytes).Split(':');
        return parts.Length == 2 && long.TryParse(parts[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out long sequence)
            ? new AuditAnchor(sequence, parts[1])
            : null;
    }
}
