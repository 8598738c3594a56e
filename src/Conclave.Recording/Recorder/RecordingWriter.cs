using System.Buffers.Binary;
using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>
/// A recording's writer thread: drains its ring into the current segment, seals the segment
/// when it covers <see cref="RecorderOptions.SegmentMilliseconds"/> of arrival time (also when
/// media has stopped coming) or would pass <see cref="RecorderOptions.SegmentMaxBytes"/>, and at
/// the end writes the manifest. A storage failure ends the recording where it is: the sealed
/// segments and a manifest saying why (when even that can be written) stay.
/// </summary>
internal sealed class RecordingWriter
{
    /// <summary>How often the ring is drained: the media loop never wakes the writer, it only copies.</summary>
    private const int DrainIntervalMs = 20;

    private readonly ActiveRecording _recording;
    private readonly RecorderOptions _options;
    private readonly IDataKeyWrapper _storageKek;
    private readonly Action<ActiveRecording, string> _failed;
    private readonly ulong _segmentUs;
    private readonly SegmentBuilder _segment;
    private readonly List<ManifestSegment> _sealed = new();
    private readonly ManualResetEventSlim _stopRequested = new();
    private readonly TaskCompletionSource<RecordingManifest> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Thread _thread;
    private string? _endedBy;
    private int _segmentsSealed;
    private long _recordsStored;

    public RecordingWriter(ActiveRecording recording, RecorderOptions options, IDataKeyWrapper storageKek, Action<ActiveRecording, string> failed)
    {
        _recording = recording;
        _options = options;
        _storageKek = storageKek;
        _failed = failed;
        _segmentUs = (ulong)options.SegmentMilliseconds * 1000;
        _segment = new SegmentBuilder(recording.RecordingId, recording.StartedUnixMs);
        _thread = new Thread(Run) { IsBackground = true, Name = "recorder " + SegmentFormat.DirectoryName(recording.Id)[..8] };
    }

    public int SegmentsSealed => Volatile.Read(ref _segmentsSealed);

    public long RecordsStored => Interlocked.Read(ref _recordsStored);

    /// <summary>The manifest as written; faults when it could not be written (crash recovery writes it at the next start).</summary>
    public Task<RecordingManifest> Completion => _completion.Task;

    public void Start() => _thread.Start();

    /// <summary>Asks the writer to store what is waiting and finish; the first reason given is the one kept.</summary>
    public Task<RecordingManifest> Stop(string endedBy)
    {
        Interlocked.CompareExchange(ref _endedBy, endedBy, null);
        _stopRequested.Set();
        return Completion;
    }

    private void Run()
    {
        string endedBy;
        bool failed = false;
        try
        {
            while (!_stopRequested.IsSet)
            {
                // The time is read before draining: every record stamped before it is then in
                // this segment, so an idle segment is sealed where a later record would have
                // rolled it, whichever runs first.
                ulong nowUs = _recording.ElapsedUs();
                Drain();
                if (_segment.Records > 0 && nowUs >= _segment.FirstArrivalUs && nowUs - _segment.FirstArrivalUs >= _segmentUs) Seal();
                _stopRequested.Wait(DrainIntervalMs);
            }
            var (pendingGap, arrivalUs) = _recording.Close();
            Drain();
            if (pendingGap > 0) StoreGap(pendingGap, arrivalUs);
            if (_segment.Records > 0) Seal();
            endedBy = _endedBy!;
        }
        catch (Exception e)
        {
            // Anything that escapes this thread would take the daemon and every meeting down:
            // a full disk or a refusing token ends this recording alone.
            _recording.Close();
            endedBy = DurableFile.IsDiskFull(e) ? EndedBy.DiskFull : EndedBy.WriteFailed;
            failed = true;
        }
        var manifest = new RecordingManifest
        {
            RecordingId = SegmentFormat.DirectoryName(_recording.Id),
            MeetingId = _recording.MeetingId,
            StartedUnixMs = _recording.StartedUnixMs,
            StoppedUnixMs = _recording.StartedUnixMs + (long)(_recording.ElapsedUs() / 1000),
            Segments = _sealed.ToArray(),
            DroppedRecords = _recording.DroppedRecords,
            EndedBy = endedBy,
        };
        Exception? unwritten = null;
        try
        {
            DurableFile.Write(_recording.Directory, SegmentFormat.ManifestFileName, SealedEnvelope.Seal(manifest.ToUtf8Json(), _storageKek), overwrite: false);
        }
        catch (Exception e)
        {
            unwritten = e;
        }
        if (failed) _failed(_recording, endedBy);
        if (unwritten is null) _completion.SetResult(manifest);
        else _completion.SetException(unwritten);
    }

    /// <summary>Moves every whole record the ring holds into segments.</summary>
    private void Drain()
    {
        var ring = _recording.Ring;
        long head = ring.Head, position = ring.Tail;
        Span<byte> header = stackalloc byte[SegmentFormat.RecordHeaderBytes];
        while (position < head)
        {
            ring.Read(position, header);
            ulong arrivalUs = BinaryPrimitives.ReadUInt64BigEndian(header[1..]);
            int length = SegmentFormat.RecordHeaderBytes + (int)BinaryPrimitives.ReadUInt32BigEndian(header[9..]);
            if (MustRollBefore(arrivalUs, length))
            {
                ring.Release(position); // the producers need not wait for the disk
                Seal();
            }
            ring.CopyTo(position, length, _segment.Add(arrivalUs));
            position += length;
        }
        ring.Release(position);
    }

    private void StoreGap(uint droppedRecords, ulong arrivalUs)
    {
        Span<byte> record = stackalloc byte[ActiveRecording.GapRecordBytes];
        ActiveRecording.WriteGap(record, arrivalUs, droppedRecords);
        if (MustRollBefore(arrivalUs, record.Length)) Seal();
        _segment.Add(arrivalUs).Write(record);
    }

    private bool MustRollBefore(ulong arrivalUs, int recordLength) =>
        _segment.Records > 0 && (arrivalUs - _segment.FirstArrivalUs >= _segmentUs || _segment.Length + recordLength > _options.SegmentMaxBytes);

    private void Seal()
    {
        int records = _segment.Records;
        _sealed.Add(_segment.Seal(_recording.Directory, _storageKek));
        Interlocked.Increment(ref _segmentsSealed);
        Interlocked.Add(ref _recordsStored, records);
    }
}
