namespace Conclave.Crypto.Audit;

/// <summary>How an <see cref="AuditLog"/> writes: checkpoints, batches, and what it does while the disk refuses.</summary>
public sealed record AuditLogOptions
{
    /// <summary>A signed checkpoint after this many records (and at close).</summary>
    public int CheckpointEvery { get; init; } = AuditLog.DefaultCheckpointEvery;

    /// <summary>
    /// Records written with one fsync at most. A batch is whatever arrived while the one before
    /// was being written: no record waits for others to come, so one login alone pays one
    /// fsync, and a hundred arriving together share a few.
    /// </summary>
    public int MaxBatchRecords { get; init; } = 256;

    /// <summary>While the file cannot be written (a full disk), the records waiting are tried again this often.</summary>
    public TimeSpan RetryAfterFailure { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Records kept in memory, in order, while the file cannot be written. Beyond them new
    /// records are counted and lost, and one record says how many when the log writes again.
    /// </summary>
    public int MaxWaitingRecords { get; init; } = 65_536;

    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Told of every checkpoint once it is on disk, to keep it as an anchor outside the file (on the token).</summary>
    public Action<AuditAnchor>? OnCheckpoint { get; init; }

    /// <summary>
    /// Opens the file for appending: by default the file itself, its writes flushed to disk.
    /// Tests put a stream here that fails as a full disk does.
    /// </summary>
    public Func<string, Stream>? OpenFile { get; init; }
}
