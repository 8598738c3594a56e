using System.Text;

namespace Conclave.Crypto.Audit;

/// <summary>
/// Appends records to the hash-chained audit log, and a signed checkpoint every
/// <see cref="CheckpointEvery"/> records and on <see cref="Close"/>. Each record is
/// flushed to disk before Append returns: an audited action is never lost on a crash.
/// Thread-safe.
/// </summary>
public sealed class AuditLog : IDisposable
{
    /// <summary>The label of the token data object that holds the last checkpoint ("sequence:hash").</summary>
    public const string AnchorLabel = "conclave-audit-anchor";

    public const int DefaultCheckpointEvery = 100;

    private readonly Lock _lock = new();
    private readonly FileStream _file;
    private readonly IAuditSigner _signer;
    private readonly TimeProvider _time;
    private long _sequence;
    private string _head;
    private int _sinceCheckpoint;
    private bool _closed;

    private readonly Action<AuditAnchor>? _onCheckpoint;

    private AuditLog(FileStream file, IAuditSigner signer, TimeProvider time, int checkpointEvery, long sequence, string head, Action<AuditAnchor>? onCheckpoint)
    {
        _onCheckpoint = onCheckpoint;
        _file = file;
        _signer = signer;
        _time = time;
        CheckpointEvery = checkpointEvery;
        _sequence = sequence;
        _head = head;
    }

    public int CheckpointEvery { get; }

    /// <summary>The last checkpoint written by this instance, to keep outside the file as an anchor.</summary>
    public AuditAnchor? LastCheckpoint { get; private set; }

    /// <summary>Opens (or creates) the log and continues its chain from the last record.</summary>
    /// <param name="onCheckpoint">Told of every checkpoint, to keep it as an anchor outside the file (on the token).</param>
    public static AuditLog Open(string path, IAuditSigner signer, TimeProvider? time = null, int checkpointEvery = DefaultCheckpointEvery, Action<AuditAnchor>? onCheckpoint = null)
    {
        long sequence = 0;
        string head = AuditFormat.GenesisHash;
        if (File.Exists(path))
        {
            string? last = File.ReadLines(path).LastOrDefault(l => l.Length > 0);
            if (last is not null)
            {
                if (!AuditFormat.TryParse(last, 0, out var line, out var error)) throw new InvalidDataException($"{path}: its last record is unreadable ({error}); run conclavectl audit verify");
                sequence = line!.Record.Sequence;
                head = line.Hash;
            }
        }
        var file = new FileStream(path, FileMode.Append, FileAccess.Write, FileShare.Read);
        return new AuditLog(file, signer, time ?? TimeProvider.System, checkpointEvery, sequence, head, onCheckpoint);
    }

    public void Append(string actor, string action, string objectName, string outcome)
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            Write(new AuditRecord(_sequence + 1, _time.GetUtcNow(), AuditRecord.EventKind, actor, action, objectName, outcome, _head), sign: false);
            if (++_sinceCheckpoint >= CheckpointEvery) TryWriteCheckpoint();
        }
    }

    /// <summary>Signs the chain so far (also done by <see cref="Close"/>).</summary>
    public void Checkpoint()
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_closed, this);
            WriteCheckpoint();
        }
    }

    /// <summary>
    /// The record is on disk and chained already; a signer that cannot sign now (its token
    /// is out) only delays the checkpoint to the next record, or to <see cref="Close"/>, which
    /// then covers everything before it. An audited action never fails for want of a signature.
    /// </summary>
    private void TryWriteCheckpoint()
    {
        try
        {
            WriteCheckpoint();
        }
        catch (Exception e) when (e is not ObjectDisposedException and not IOException)
        {
            CheckpointsDeferred++;
        }
    }

    /// <summary>Checkpoints that could not be signed when due (each retried with the next record).</summary>
    public long CheckpointsDeferred { get; private set; }

    private void WriteCheckpoint()
    {
        var record = new AuditRecord(_sequence + 1, _time.GetUtcNow(), AuditRecord.CheckpointKind, "conclaved", AuditRecord.CheckpointAction, $"records 1–{_sequence}", "signed", _head);
        Write(record, sign: true);
        _sinceCheckpoint = 0;
        LastCheckpoint = new AuditAnchor(_sequence, _head);
        _onCheckpoint?.Invoke(LastCheckpoint);
    }

    private void Write(AuditRecord record, bool sign)
    {
        string body = AuditFormat.Serialize(record);
        string hash = AuditFormat.HashOf(body);
        var line = new StringBuilder(body).Append('\t').Append(hash);
        if (sign) line.Append('\t').Append(Convert.ToBase64String(_signer.SignDer(Convert.FromHexString(hash))));
        line.Append('\n');
        _file.Write(Encoding.UTF8.GetBytes(line.ToString()));
        _file.Flush(flushToDisk: true);
        _sequence = record.Sequence;
        _head = hash;
    }

    /// <summary>Writes the closing checkpoint (at shutdown) and closes the file.</summary>
    public void Close()
    {
        lock (_lock)
        {
            if (_closed) return;
            if (_sinceCheckpoint > 0 || LastCheckpoint is null) WriteCheckpoint();
            _closed = true;
            _file.Dispose();
        }
    }

    public void Dispose() => Close();
}
