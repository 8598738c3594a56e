using System.Text;

namespace Conclave.Crypto.Audit;

/// <summary>The last records that matched a filter, oldest first, and what finding them cost.</summary>
/// <param name="BytesRead">Bytes read from the end of the file: a few kilobytes for the last 50 records, whatever the log's size.</param>
/// <param name="RecordsParsed">Records parsed to find them, matching or not.</param>
public sealed record AuditTail(IReadOnlyList<AuditRecord> Records, long BytesRead, int RecordsParsed);

/// <summary>
/// Reads records for display (conclavectl audit show, the console's audit page);
/// verification is <see cref="AuditVerifier"/>'s job.
/// </summary>
public static class AuditReader
{
    /// <summary>Bytes read at a time from the end of the file.</summary>
    private const int ChunkBytes = 64 * 1024;

    /// <summary>No record is this long (every untrusted field is cut to 64 characters): a longer line is not a record.</summary>
    private const int MaxLineBytes = 1024 * 1024;

    /// <summary>Every record from the start, filtered.</summary>
    public static IEnumerable<AuditRecord> Read(string path, string? actor = null, string? action = null, DateTimeOffset? since = null)
    {
        int lineNumber = 0;
        foreach (string text in File.ReadLines(path))
        {
            lineNumber++;
            if (!AuditFormat.TryParse(text, lineNumber, out var line, out var error)) throw new InvalidDataException($"{path}: line {lineNumber}: {error}");
            var record = line!.Record;
            if (Matches(record, actor, action, since, eventsOnly: false)) yield return record;
        }
    }

    /// <summary>
    /// The last <paramref name="count"/> records that match, read from the end of the file
    /// backwards, so that showing the newest records costs the same on a log of any size. A
    /// log is written in time order, so reading stops at the first record before
    /// <paramref name="since"/>. A last line without its newline is being written (or was
    /// torn by a crash, which <c>audit verify</c> reports): it is left out.
    /// </summary>
    /// <param name="eventsOnly">Leaves out the log's own signed checkpoints.</param>
    public static AuditTail ReadLast(string path, int count, string? actor = null, string? action = null, DateTimeOffset? since = null, bool eventsOnly = false)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(count);
        var newestFirst = new List<AuditRecord>(Math.Min(count, 1024));
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);
        var lines = new LinesFromTheEnd(file);
        int parsed = 0;
        while (newestFirst.Count < count && lines.TryNext(out string? text, out bool terminated))
        {
            if (!terminated || text!.Length == 0) continue;
            parsed++;
            if (!AuditFormat.TryParse(text, 0, out var line, out var error)) throw new InvalidDataException($"{path}: record {parsed} from the end: {error}");
            var record = line!.Record;
            if (since is not null && record.Time < since) break;
            if (Matches(record, actor, action, null, eventsOnly)) newestFirst.Add(record);
        }
        newestFirst.Reverse();
        return new AuditTail(newestFirst, lines.BytesRead, parsed);
    }

    /// <summary>The last line of the log that is not empty, terminated or not (a torn one is the caller's to refuse), or null for an empty log.</summary>
    internal static string? LastLine(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, bufferSize: 0);
        var lines = new LinesFromTheEnd(file);
        while (lines.TryNext(out string? text, out _))
        {
            if (text!.Length > 0) return text;
        }
        return null;
    }

    private static bool Matches(AuditRecord record, string? actor, string? action, DateTimeOffset? since, bool eventsOnly) =>
        (!eventsOnly || record.Kind == AuditRecord.EventKind)
        && (actor is null || record.Actor.Equals(actor, StringComparison.OrdinalIgnoreCase))
        && (action is null || record.Action.Equals(action, StringComparison.OrdinalIgnoreCase))
        && (since is null || record.Time >= since);

    /// <summary>
    /// A file's lines, last first, read backwards a chunk at a time. Only what precedes the
    /// file's length when it was opened is read: records appended meanwhile are not mixed in.
    /// </summary>
    private sealed class LinesFromTheEnd(FileStream file)
    {
        // _buffer[0.._held) holds the file's bytes [_heldFrom, _heldFrom + _held): the unread
        // start of the file's tail, up to the end of the next line to give out.
        private byte[] _buffer = new byte[ChunkBytes];
        private int _held;
        private long _heldFrom = file.Length;
        private bool _first = true;
        private bool _done;

        public long BytesRead { get; private set; }

        /// <param name="terminated">False only for a last line that has no newline after it.</param>
        public bool TryNext(out string? text, out bool terminated)
        {
            text = null;
            terminated = true;
            if (_done) return false;
            int newline;
            while ((newline = _buffer.AsSpan(0, _held).LastIndexOf((byte)'\n')) < 0 && _heldFrom > 0)
            {
                ReadEarlierChunk();
            }
            // After the file's final newline comes an empty "line": nothing, or a torn record.
            terminated = !_first;
            _first = false;
            text = Encoding.UTF8.GetString(_buffer, newline + 1, _held - newline - 1);
            if (newline < 0) _done = true;
            else _held = newline;
            return true;
        }

        private void ReadEarlierChunk()
        {
            int more = (int)Math.Min(ChunkBytes, _heldFrom);
            if (_held + more > MaxLineBytes) throw new InvalidDataException($"{file.Name}: a line longer than {MaxLineBytes} bytes is not an audit record");
            if (_held + more > _buffer.Length) Array.Resize(ref _buffer, Math.Min(MaxLineBytes, 2 * (_held + more)));
            Array.Copy(_buffer, 0, _buffer, more, _held);
            _heldFrom -= more;
            file.Position = _heldFrom;
            file.ReadExactly(_buffer, 0, more);
            _held += more;
            BytesRead += more;
        }
    }
}
