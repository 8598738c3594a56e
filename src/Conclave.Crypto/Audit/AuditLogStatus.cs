namespace Conclave.Crypto.Audit;

/// <summary>Whether the audit log is writing, and if not since when and why (the console shows it).</summary>
/// <param name="Problem">Why the last write failed ("No space left on device …"); null while the log writes.</param>
/// <param name="FailedWrites">Batches that could not be written since the log was opened, each tried again later.</param>
/// <param name="WaitingRecords">Records kept in memory, in order, until the file can be written.</param>
/// <param name="LostRecords">Records that arrived while <see cref="AuditLogOptions.MaxWaitingRecords"/> were waiting, or at close: not written.</param>
public sealed record AuditLogStatus(string? Problem, DateTimeOffset? FailingSince, long FailedWrites, int WaitingRecords, long LostRecords)
{
    public bool Writing => Problem is null;
}
