using System.Text;

namespace Conclave.Crypto.Audit;

/// <summary>
/// Appends records to the hash-chained audit log, and a signed checkpoint every
/// <see cref="CheckpointEvery"/> records and on <see cref="Close"/>. One writer thread
/// appends; callers queue their record and may await it. Records that arrive together are
/// written with one fsync (group commit, at most <see cref="AuditLogOptions.MaxBatchRecords"/>),
/// and each caller's task completes only once its record is on disk: a record awaited is
/// never lost on a crash. When the file cannot be written (a full disk) the log does not
/// stop its callers: their tasks complete with false, the records wait in memory, in order,
/// and are written when the disk takes them again (docs/threat-model.md, "The audit log").
/// Thread-safe.
/// </summary>
public sealed class AuditLog : IDisposable
{
    /// <summary>The label of the token data object that holds the last checkpoint ("sequence:hash").</summary>
    public const string AnchorLabel = "conclave-audit-anchor";

    public const int DefaultCheckpointEvery = 100;

    private static readonly Task<bool> NotWritten = Task.FromResult(false);

    private readonly IAuditSigner _signer;
    private readonly AuditLogOptions _options;
    private readonly Stream _file;
    private readonly Thread _writer;

    // A change of status and its handlers' call happen under _notifying (then _lock), so a
    // handler added meanwhile hears of it exactly once.
    private readonly Lock _notifying = new();
    private Action<AuditLogStatus>? _statusChanged;

    // Shared with callers, under _lock.
    private readonly Lock _lock = new();
    private readonly Queue<Entry> _waiting = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly ManualResetEventSlim _closing = new();
    private Task<bool> _lastAppended = Task.FromResult(true);
    private Entry? _lostMarker;
    private bool _closed;
    private AuditLogStatus _status = new(null, null, 0, 0, 0);

    // The writer's own: the chain as it stands on disk.
    private readonly List<Entry> _batch = [];
    private readonly MemoryStream _bytes = new();
    private long _sequence;
    private string _head;
    private int _sinceCheckpoint;
    private long _durableLength;
    private bool _truncateFirst;

    /// <summary>A record waiting to be written, or the count of records lost after it (<see cref="Lost"/> &gt; 0).</summary>
    private sealed class Entry(DateTimeOffset time, string actor, string action, string objectName, string outcome)
    {
        public DateTimeOffset Time { get; } = time;
        public string Actor { get; } = actor;
        public string Action { get; } = action;
        public string Object { get; } = objectName;
        public string Outcome { get; } = outcome;
        public long Lost { get; set; }
        public TaskCompletionSource<bool> Written { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    private AuditLog(Stream file, IAuditSigner signer, AuditLogOptions options, long sequence, string head)
    {
        _file = file;
        _signer = signer;
        _options = options;
        _sequence = sequence;
        _head = head;
        _durableLength = file.Length;
        _file.Position = _durableLength;
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "audit log writer" };
        _writer.Start();
    }

    public int CheckpointEvery => _options.CheckpointEvery;

    /// <summary>The last checkpoint written by this instance, to keep outside the file as an anchor.</summary>
    public AuditAnchor? LastCheckpoint { get; private set; }

    /// <summary>Checkpoints that could not be signed (or their anchor stored) when due; each is retried with the next record.</summary>
    public long CheckpointsDeferred { get; private set; }

    public AuditLogStatus Status
    {
        get { lock (_lock) return _status with { WaitingRecords = _waiting.Count }; }
    }

    /// <summary>
    /// Raised on the writer thread when the log stops writing and when it writes again: once
    /// each way, not per retry. A handler added while the log is not writing is told at once,
    /// so a failure before anyone listened (at the first records) is not missed.
    /// </summary>
    public event Action<AuditLogStatus>? StatusChanged
    {
        add
        {
            lock (_notifying)
            {
                _statusChanged += value;
                if (Status is { Writing: false } now) value?.Invoke(now);
            }
        }
        remove
        {
            lock (_notifying) _statusChanged -= value;
        }
    }

    /// <summary>Opens (or creates) the log and continues its chain from the last record, read from the end of the file.</summary>
    public static AuditLog Open(string path, IAuditSigner signer, AuditLogOptions? options = null)
    {
        options ??= new AuditLogOptions();
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.CheckpointEvery);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.MaxBatchRecords);
        long sequence = 0;
        string head = AuditFormat.GenesisHash;
        if (File.Exists(path) && AuditReader.LastLine(path) is { } last)
        {
            if (!AuditFormat.TryParse(last, 0, out var line, out var error)) throw new InvalidDataException($"{path}: its last record is unreadable ({error}); run conclavectl audit verify");
            sequence = line!.Record.Sequence;
            head = line.Hash;
        }
        var file = options.OpenFile?.Invoke(path) ?? new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.Read, bufferSize: 0);
        return new AuditLog(file, signer, options, sequence, head);
    }

    /// <summary>
    /// Queues a record. The task completes with true once it is on disk, or with false as soon
    /// as the log cannot write: the record then waits in memory and is written, in order, when
    /// the file takes writes again.
    /// </summary>
    public Task<bool> AppendAsync(string actor, string action, string objectName, string outcome)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            if (_waiting.Count >= _options.MaxWaitingRecords)
            {
                CountLostLocked();
                return NotWritten;
            }
            var entry = new Entry(_options.Time.GetUtcNow(), actor, action, objectName, outcome);
            _waiting.Enqueue(entry);
            _lostMarker = null;
            _lastAppended = entry.Written.Task;
            if (!_status.Writing) entry.Written.TrySetResult(false);
            if (_waiting.Count == 1) _arrived.Release();
            return entry.Written.Task;
        }
    }

    /// <summary>Appends a record and returns once it is on disk.</summary>
    /// <exception cref="IOException">The log cannot write now; the record waits in memory and is written when it can.</exception>
    public void Append(string actor, string action, string objectName, string outcome)
    {
        if (!AppendAsync(actor, action, objectName, outcome).GetAwaiter().GetResult())
        {
            throw new IOException($"the audit log cannot write: {Status.Problem ?? "too many records waiting"}");
        }
    }

    /// <summary>Completes once every record appended so far is on disk (true), or as soon as the log cannot write (false).</summary>
    public Task<bool> FlushAsync()
    {
        lock (_lock) return _lastAppended;
    }

    /// <summary>Beyond <see cref="AuditLogOptions.MaxWaitingRecords"/>: counted in one entry that becomes a record saying how many were lost.</summary>
    private void CountLostLocked()
    {
        if (_lostMarker is null)
        {
            _lostMarker = new Entry(_options.Time.GetUtcNow(), "conclaved", AuditRecord.LostAction, "audit log", "");
            _waiting.Enqueue(_lostMarker);
        }
        _lostMarker.Lost++;
        _status = _status with { LostRecords = _status.LostRecords + 1 };
    }

    private void WriteLoop()
    {
        while (true)
        {
            bool closing;
            lock (_lock)
            {
                closing = _closed;
                _batch.Clear();
                foreach (var entry in _waiting)
                {
                    if (_batch.Count == _options.MaxBatchRecords) break;
                    // Its count is final once it is written.
                    if (ReferenceEquals(entry, _lostMarker)) _lostMarker = null;
                    _batch.Add(entry);
                }
            }
            if (_batch.Count == 0 && !closing)
            {
                _arrived.Wait();
                continue;
            }
            // The last batch at close also carries the closing checkpoint.
            bool last = closing && _batch.Count < _options.MaxBatchRecords;
            if (last && _batch.Count == 0 && _sinceCheckpoint == 0 && LastCheckpoint is not null) return;
            if (TryWrite(_batch, closeWithCheckpoint: last, out var failure))
            {
                Written(_batch.Count);
                if (last) return;
            }
            else
            {
                NotWrittenNow(failure!);
                if (closing)
                {
                    LoseWaitingAtClose();
                    return;
                }
                _closing.Wait(_options.RetryAfterFailure);
            }
        }
    }

    /// <summary>Serialises the batch from the chain's head on disk, writes it and flushes it to disk; on failure the file is cut back to its last good length before the next try.</summary>
    private bool TryWrite(List<Entry> batch, bool closeWithCheckpoint, out Exception? failure)
    {
        failure = null;
        long sequence = _sequence;
        string head = _head;
        int since = _sinceCheckpoint;
        AuditAnchor? anchor = null;
        int deferred = 0;
        _bytes.SetLength(0);
        foreach (var entry in batch)
        {
            string outcome = entry.Lost > 0 ? $"lost: {entry.Lost} records arrived while {_options.MaxWaitingRecords} were waiting for the disk" : entry.Outcome;
            head = Serialize(new AuditRecord(sequence + 1, entry.Time, AuditRecord.EventKind, entry.Actor, entry.Action, entry.Object, outcome, head), sign: false);
            sequence++;
            if (++since < CheckpointEvery) continue;
            if (TrySerializeCheckpoint(ref sequence, ref head)) (since, anchor) = (0, new AuditAnchor(sequence, head));
            else deferred++;
        }
        if (closeWithCheckpoint && (since > 0 || (anchor ?? LastCheckpoint) is null))
        {
            if (TrySerializeCheckpoint(ref sequence, ref head)) (since, anchor) = (0, new AuditAnchor(sequence, head));
            else deferred++;
        }
        try
        {
            if (_truncateFirst)
            {
                if (_file.Length > _durableLength) _file.SetLength(_durableLength);
                _file.Position = _durableLength;
                _truncateFirst = false;
            }
            _file.Write(_bytes.GetBuffer(), 0, (int)_bytes.Length);
            if (_file is FileStream disk) disk.Flush(flushToDisk: true);
            else _file.Flush();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Part of the batch may be in the file, or in pages a failed fsync dropped: cut back
            // to what was on disk and write the whole batch again.
            _truncateFirst = true;
            failure = e;
            return false;
        }
        (_sequence, _head, _sinceCheckpoint) = (sequence, head, since);
        _durableLength += _bytes.Length;
        CheckpointsDeferred += deferred;
        if (anchor is not null) Anchor(anchor);
        return true;
    }

    /// <summary>
    /// A signer that cannot sign now (its token is out) only delays the checkpoint to the next
    /// record, or to <see cref="Close"/>, which then covers everything before it: an audited
    /// action never fails for want of a signature.
    /// </summary>
    private bool TrySerializeCheckpoint(ref long sequence, ref string head)
    {
        var record = new AuditRecord(sequence + 1, _options.Time.GetUtcNow(), AuditRecord.CheckpointKind, "conclaved", AuditRecord.CheckpointAction,
            $"records 1–{sequence}", "signed", head);
        long length = _bytes.Length;
        try
        {
            head = Serialize(record, sign: true);
            sequence++;
            return true;
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            _bytes.SetLength(length);
            return false;
        }
    }

    /// <summary>Appends the record's line to the batch; its hash, the new head of the chain.</summary>
    private string Serialize(AuditRecord record, bool sign)
    {
        string body = AuditFormat.Serialize(record);
        string hash = AuditFormat.HashOf(body);
        var line = new StringBuilder(body).Append('\t').Append(hash);
        if (sign) line.Append('\t').Append(Convert.ToBase64String(_signer.SignDer(Convert.FromHexString(hash))));
        line.Append('\n');
        _bytes.Write(Encoding.UTF8.GetBytes(line.ToString()));
        return hash;
    }

    private void Anchor(AuditAnchor anchor)
    {
        LastCheckpoint = anchor;
        try
        {
            _options.OnCheckpoint?.Invoke(anchor);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The checkpoint is on disk; the anchor on the token waits for the next one.
            CheckpointsDeferred++;
        }
    }

    private void Written(int count)
    {
        lock (_notifying)
        {
            AuditLogStatus? changed = null;
            lock (_lock)
            {
                for (int i = 0; i < count; i++) _waiting.Dequeue().Written.TrySetResult(true);
                if (!_status.Writing) changed = _status = _status with { Problem = null, FailingSince = null, WaitingRecords = _waiting.Count };
            }
            if (changed is not null) _statusChanged?.Invoke(changed);
        }
    }

    private void NotWrittenNow(Exception failure)
    {
        lock (_notifying)
        {
            AuditLogStatus? changed = null;
            lock (_lock)
            {
                foreach (var entry in _waiting) entry.Written.TrySetResult(false);
                bool wasWriting = _status.Writing;
                _status = _status with
                {
                    Problem = failure.Message,
                    FailingSince = _status.FailingSince ?? _options.Time.GetUtcNow(),
                    FailedWrites = _status.FailedWrites + 1,
                    WaitingRecords = _waiting.Count,
                };
                if (wasWriting) changed = _status;
            }
            if (changed is not null) _statusChanged?.Invoke(changed);
        }
    }

    private void LoseWaitingAtClose()
    {
        lock (_lock)
        {
            long lost = 0;
            while (_waiting.TryDequeue(out var entry)) lost += Math.Max(1, entry.Lost);
            _status = _status with { LostRecords = _status.LostRecords + lost };
        }
    }

    /// <summary>Writes what is waiting and the closing checkpoint (at shutdown), then closes the file. A file that still cannot be written is given up.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            _closed = true;
        }
        _closing.Set();
        _arrived.Release();
        _writer.Join();
        _file.Dispose();
        _arrived.Dispose();
        _closing.Dispose();
    }

    public void Dispose() => Close();
}
