using System.Buffers;
using System.Buffers.Binary;
using System.Text.Unicode;
using Conclave.Crypto.Envelopes;
using Conclave.Media.Sdp;

namespace Conclave.Recording.Recorder;

/// <summary>
/// One room's running recording: the producer side of its ring (records encoded as they
/// are stored, stamped with their arrival time under one lock so arrival times never go
/// back) and the writer that seals them into segments. Appending never allocates, never
/// waits for the disk, and never throws: what does not fit the ring is counted as dropped.
/// </summary>
public sealed class ActiveRecording
{
    /// <summary>A publisher peer id is stored behind a one-byte length.</summary>
    private const int MaxPublisherBytes = byte.MaxValue;

    /// <summary>uint8 publisher_len ‖ publisher ‖ the longest fixed part that follows it (SenderReport's 16 bytes).</summary>
    private const int MaxPrefixBytes = 1 + MaxPublisherBytes + 16;

    internal const int GapRecordBytes = SegmentFormat.RecordHeaderBytes + 4;

    private readonly byte[] _recordingId;
    private readonly TimeProvider _time;
    private readonly long _startTimestamp;
    private readonly Lock _lock = new();
    private ulong _lastArrivalUs;
    private uint _pendingGap;
    private long _dropped;
    private bool _closed;

    /// <param name="failed">Told on the writer's thread when storage failed and the recording ended by itself, with the reason.</param>
    internal ActiveRecording(string roomId, byte[] recordingId, string meetingId, string directory, long startedUnixMs,
        RecorderOptions options, TimeProvider time, IDataKeyWrapper storageKek, Action<ActiveRecording, string> failed)
    {
        RoomId = roomId;
        _recordingId = recordingId;
        MeetingId = meetingId;
        Directory = directory;
        StartedUnixMs = startedUnixMs;
        _time = time;
        _startTimestamp = time.GetTimestamp();
        Ring = new RecordRing(options.RingBytes);
        Writer = new RecordingWriter(this, options, storageKek, failed);
    }

    public string RoomId { get; }

    public byte[] RecordingId => (byte[])_recordingId.Clone();

    public string MeetingId { get; }

    /// <summary>The recording's directory, named by its id.</summary>
    public string Directory { get; }

    public long StartedUnixMs { get; }

    internal RecordRing Ring { get; }

    internal RecordingWriter Writer { get; }

    internal long DroppedRecords => Interlocked.Read(ref _dropped);

    internal ReadOnlySpan<byte> Id => _recordingId;

    internal RecordingStatus Status() =>
        new(RecordingId, MeetingId, StartedUnixMs, Writer.SegmentsSealed, Writer.RecordsStored, DroppedRecords, Ring.Head - Ring.Tail);

    /// <summary>µs since the recording started, on the monotonic clock.</summary>
    internal ulong ElapsedUs() => (ulong)(_time.GetElapsedTime(_startTimestamp).Ticks / TimeSpan.TicksPerMicrosecond);

    internal void AppendRtp(string publisherPeerId, MediaKind kind, ReadOnlySpan<byte> rtpPacket)
    {
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        if (!TryWritePublisher(prefix, publisherPeerId, out int length)) return;
        prefix[length++] = kind == MediaKind.Video ? (byte)1 : (byte)0;
        Append(RecordType.Rtp, prefix[..length], rtpPacket);
    }

    internal void AppendSenderReport(string publisherPeerId, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp)
    {
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        if (!TryWritePublisher(prefix, publisherPeerId, out int length)) return;
        BinaryPrimitives.WriteUInt32BigEndian(prefix[length..], ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(prefix[(length + 4)..], ntpTimestamp);
        BinaryPrimitives.WriteUInt32BigEndian(prefix[(length + 12)..], rtpTimestamp);
        Append(RecordType.SenderReport, prefix[..(length + 16)], default);
    }

    internal void AppendEpoch(ulong epoch)
    {
        Span<byte> body = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(body, epoch);
        Append(RecordType.Epoch, body, default);
    }

    internal void AppendEscrow(ReadOnlySpan<byte> escrowBlob) => Append(RecordType.Escrow, escrowBlob, default);

    internal void AppendParticipant(string publisherPeerId, ReadOnlySpan<byte> credential)
    {
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        if (!TryWritePublisher(prefix, publisherPeerId, out int length)) return;
        length += MlsVector.WriteLength(prefix[length..], credential.Length);
        Append(RecordType.Participant, prefix[..length], credential);
    }

    internal void AppendData(string publisherPeerId, ulong epoch, ReadOnlySpan<byte> ciphertext)
    {
        Span<byte> prefix = stackalloc byte[MaxPrefixBytes];
        if (!TryWritePublisher(prefix, publisherPeerId, out int length)) return;
        BinaryPrimitives.WriteUInt64BigEndian(prefix[length..], epoch);
        Append(RecordType.Data, prefix[..(length + 8)], ciphertext);
    }

    /// <summary>
    /// No record is accepted after this (the writer's last drain then sees everything); returns
    /// the drops not yet written as a Gap record and the time to stamp that record with.
    /// </summary>
    internal (uint PendingGap, ulong ArrivalUs) Close()
    {
        lock (_lock)
        {
            _closed = true;
            uint pending = _pendingGap;
            _pendingGap = 0;
            return (pending, NextArrivalUs());
        }
    }

    /// <summary>A Gap record: uint32 dropped_records.</summary>
    internal static void WriteGap(Span<byte> record, ulong arrivalUs, uint droppedRecords)
    {
        SegmentFormat.WriteRecordHeader(record, RecordType.Gap, arrivalUs, 4);
        BinaryPrimitives.WriteUInt32BigEndian(record[SegmentFormat.RecordHeaderBytes..], droppedRecords);
    }

    private void Append(RecordType type, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> body)
    {
        Span<byte> header = stackalloc byte[SegmentFormat.RecordHeaderBytes];
        Span<byte> gap = stackalloc byte[GapRecordBytes];
        lock (_lock)
        {
            if (_closed) return;
            long needed = (long)header.Length + prefix.Length + body.Length + (_pendingGap > 0 ? gap.Length : 0);
            if (needed > Ring.FreeBytes)
            {
                DropLocked();
                return;
            }
            ulong arrivalUs = NextArrivalUs();
            if (_pendingGap > 0)
            {
                // Drops are told in the stream where they happened, once the ring has room again.
                WriteGap(gap, arrivalUs, _pendingGap);
                Ring.Write(gap, default, default);
                _pendingGap = 0;
            }
            SegmentFormat.WriteRecordHeader(header, type, arrivalUs, prefix.Length + body.Length);
            Ring.Write(header, prefix, body);
        }
    }

    private ulong NextArrivalUs()
    {
        ulong now = ElapsedUs();
        if (now > _lastArrivalUs) _lastArrivalUs = now;
        return _lastArrivalUs;
    }

    private void DropLocked()
    {
        if (_pendingGap < uint.MaxValue) _pendingGap++;
        Interlocked.Increment(ref _dropped);
    }

    /// <summary>uint8 publisher_len ‖ publisher (UTF-8); a longer id than fits is counted as a drop.</summary>
    private bool TryWritePublisher(Span<byte> prefix, string publisherPeerId, out int length)
    {
        var status = Utf8.FromUtf16(publisherPeerId, prefix.Slice(1, MaxPublisherBytes), out _, out int written);
        if (status != OperationStatus.Done)
        {
            lock (_lock)
            {
                if (!_closed) DropLocked();
            }
            length = 0;
            return false;
        }
        prefix[0] = (byte)written;
        length = 1 + written;
        return true;
    }
}
