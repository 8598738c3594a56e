using System.Buffers.Binary;
using System.Text;
using Conclave.Media.Sdp;

namespace Conclave.Recording.Recorder;

/// <summary>
/// Reads a segment's plaintext back into records, checking its header against what the
/// manifest expects and every record's shape; anything else is a <see cref="RecordingDataException"/>
/// naming the segment and the offset.
/// </summary>
internal static class SegmentParser
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The header's recording id, index and start (read without expectations: crash recovery learns them here).</summary>
    public static (byte[] RecordingId, uint Index, long StartedUnixMs) ReadHeader(ReadOnlySpan<byte> segment, string fileName)
    {
        if (!SegmentFormat.TryReadHeader(segment, out byte version, out var recordingId, out uint index, out long startedUnixMs))
        {
            throw new RecordingDataException($"{fileName}: not a recording segment (no CRSG header)");
        }
        if (version != RecordingFormat.Version) throw new RecordingDataException($"{fileName}: segment format version {version} is not supported (this build reads {RecordingFormat.Version})");
        return (recordingId.ToArray(), index, startedUnixMs);
    }

    public static List<RecordedRecord> ReadRecords(ReadOnlySpan<byte> segment, string fileName)
    {
        var records = new List<RecordedRecord>();
        int offset = SegmentFormat.HeaderBytes;
        ulong lastArrivalUs = 0;
        while (offset < segment.Length)
        {
            if (segment.Length - offset < SegmentFormat.RecordHeaderBytes) throw Malformed(fileName, offset, "a record header is cut short");
            var type = (RecordType)segment[offset];
            ulong arrivalUs = BinaryPrimitives.ReadUInt64BigEndian(segment[(offset + 1)..]);
            uint bodyLength = BinaryPrimitives.ReadUInt32BigEndian(segment[(offset + 9)..]);
            if (bodyLength > segment.Length - offset - SegmentFormat.RecordHeaderBytes) throw Malformed(fileName, offset, $"a body of {bodyLength} bytes runs past the end");
            if (arrivalUs < lastArrivalUs) throw Malformed(fileName, offset, "arrival time goes back");
            var body = segment.Slice(offset + SegmentFormat.RecordHeaderBytes, (int)bodyLength);
            records.Add(ReadRecord(type, arrivalUs, body) ?? throw Malformed(fileName, offset, $"a {type} record of {bodyLength} bytes does not parse"));
            lastArrivalUs = arrivalUs;
            offset += SegmentFormat.RecordHeaderBytes + (int)bodyLength;
        }
        return records;
    }

    private static RecordedRecord? ReadRecord(RecordType type, ulong arrivalUs, ReadOnlySpan<byte> body)
    {
        switch (type)
        {
            case RecordType.Epoch when body.Length == 8:
                return new RecordedEpoch(arrivalUs, BinaryPrimitives.ReadUInt64BigEndian(body));
            case RecordType.Escrow:
                return new RecordedEscrow(arrivalUs, body.ToArray());
            case RecordType.Gap when body.Length == 4:
                return new RecordedGap(arrivalUs, BinaryPrimitives.ReadUInt32BigEndian(body));
            case RecordType.Rtp or RecordType.SenderReport or RecordType.Participant or RecordType.Data:
                if (!TryReadPublisher(body, out string? publisher, out var rest)) return null;
                return type switch
                {
                    RecordType.Rtp when rest.Length >= 1 && rest[0] <= 1 => new RecordedRtp(arrivalUs, publisher, rest[0] == 1 ? MediaKind.Video : MediaKind.Audio, rest[1..].ToArray()),
                    RecordType.SenderReport when rest.Length == 16 => new RecordedSenderReport(arrivalUs, publisher,
                        BinaryPrimitives.ReadUInt32BigEndian(rest), BinaryPrimitives.ReadUInt64BigEndian(rest[4..]), BinaryPrimitives.ReadUInt32BigEndian(rest[12..])),
                    RecordType.Participant when MlsVector.TryReadLength(rest, out int length, out int prefix) && rest.Length - prefix == length =>
                        new RecordedParticipant(arrivalUs, publisher, rest[prefix..].ToArray()),
                    RecordType.Data when rest.Length >= 8 => new RecordedData(arrivalUs, publisher, BinaryPrimitives.ReadUInt64BigEndian(rest), rest[8..].ToArray()),
                    _ => null,
                };
            default:
                return null;
        }
    }

    /// <summary>uint8 publisher_len ‖ publisher (UTF-8).</summary>
    private static bool TryReadPublisher(ReadOnlySpan<byte> body, out string publisher, out ReadOnlySpan<byte> rest)
    {
        publisher = "";
        rest = default;
        if (body.IsEmpty || body.Length - 1 < body[0]) return false;
        try
        {
            publisher = StrictUtf8.GetString(body.Slice(1, body[0]));
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
        rest = body[(1 + body[0])..];
        return true;
    }

    private static RecordingDataException Malformed(string fileName, int offset, string what) => new($"{fileName}: malformed at byte {offset}: {what}");
}
