using System.Security.Cryptography;

namespace Conclave.Recording.Recorder;

/// <summary>
/// Reads a stopped recording for the export: the manifest, then each segment verified against
/// it (present, hash, length, header, record count and arrival times) and read into typed
/// records. Opening checks that the segments present are exactly the manifest's. Records come
/// segment by segment, so a segment that fails shows only when it is reached: whoever writes
/// what it reads must discard that output on an exception.
/// </summary>
public sealed class RecordingReader
{
    private readonly ISegmentSource _source;
    private readonly byte[] _recordingId;

    /// <exception cref="RecordingDataException">No readable manifest, or the segments present are not the manifest's.</exception>
    public RecordingReader(ISegmentSource source)
    {
        _source = source;
        ManifestUtf8Json = source.ReadManifestJson();
        Manifest = RecordingManifest.Parse(ManifestUtf8Json, source.ManifestFileName);
        if (!SegmentFormat.IsDirectoryName(Manifest.RecordingId)) throw new RecordingDataException($"{source.ManifestFileName}: recording id {Manifest.RecordingId} is not 32 lowercase hex digits");
        _recordingId = Convert.FromHexString(Manifest.RecordingId);
        CheckSegmentsPresent();
    }

    /// <summary>A recording directory as conclaved left it, opened with the storage KEK.</summary>
    public static RecordingReader OpenSealed(string directory, Crypto.Envelopes.IDataKeyWrapper storageKek) => new(new SealedRecordingSource(directory, storageKek));

    /// <summary>A recording without its storage-KEK layer (<see cref="PlainRecordingSource"/>).</summary>
    public static RecordingReader OpenPlain(string directory) => new(new PlainRecordingSource(directory));

    public RecordingManifest Manifest { get; }

    /// <summary>The manifest as stored (UTF-8 JSON).</summary>
    public byte[] ManifestUtf8Json { get; }

    /// <summary>SHA-256 of the manifest as stored: what the audit log kept when the recording stopped.</summary>
    public byte[] ManifestSha256 => SHA256.HashData(ManifestUtf8Json);

    /// <summary>Every record of every segment, in the order stored.</summary>
    /// <exception cref="RecordingDataException">A segment is missing, altered or not the manifest's; the message names its file.</exception>
    public IEnumerable<RecordedRecord> ReadRecords()
    {
        foreach (var segment in Manifest.Segments)
        {
            foreach (var record in ReadVerified(segment).Records) yield return record;
        }
    }

    /// <summary>One segment's plaintext, verified as <see cref="ReadRecords"/> verifies it.</summary>
    /// <exception cref="RecordingDataException">The segment is missing, altered or not the manifest's.</exception>
    public byte[] ReadSegment(ManifestSegment segment) => ReadVerified(segment).Plaintext;

    private (byte[] Plaintext, List<RecordedRecord> Records) ReadVerified(ManifestSegment segment)
    {
        string fileName = _source.FileName(segment.Name);
        var plaintext = _source.ReadSegmentPlaintext(segment);
        if (plaintext.Length != segment.Bytes || !string.Equals(Convert.ToHexStringLower(SHA256.HashData(plaintext)), segment.PlaintextSha256, StringComparison.Ordinal))
        {
            throw new RecordingDataException($"{fileName}: its content is not what the manifest lists ({plaintext.Length} bytes where it lists {segment.Bytes}, or another SHA-256)");
        }
        var (recordingId, index, startedUnixMs) = SegmentParser.ReadHeader(plaintext, fileName);
        SegmentFormat.TryParseSegmentFileName(segment.Name, out uint expectedIndex);
        if (!recordingId.AsSpan().SequenceEqual(_recordingId) || index != expectedIndex || startedUnixMs != Manifest.StartedUnixMs)
        {
            throw new RecordingDataException($"{fileName}: its header says segment {index} of recording {Convert.ToHexStringLower(recordingId)} started at {startedUnixMs}, not segment {expectedIndex} of this one");
        }
        var records = SegmentParser.ReadRecords(plaintext, fileName);
        if (records.Count != segment.Records || records.Count == 0 || records[0].ArrivalUs != segment.FirstArrivalUs || records[^1].ArrivalUs != segment.LastArrivalUs)
        {
            throw new RecordingDataException($"{fileName}: its {records.Count} records are not the {segment.Records} the manifest lists");
        }
        return (plaintext, records);
    }

    private void CheckSegmentsPresent()
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        uint previous = 0;
        foreach (var segment in Manifest.Segments)
        {
            if (!SegmentFormat.TryParseSegmentFileName(segment.Name, out uint index) || index <= previous || !listed.Add(segment.Name))
            {
                throw new RecordingDataException($"{_source.ManifestFileName}: segment {segment.Name} is not a segment name in order");
            }
            previous = index;
        }
        var present = new HashSet<string>(_source.SegmentsPresent(), StringComparer.Ordinal);
        foreach (string name in present)
        {
            if (!listed.Contains(name)) throw new RecordingDataException($"{_source.FileName(name)}: in {_source.Location} but not in the manifest");
        }
        foreach (string name in listed)
        {
            if (!present.Contains(name)) throw new RecordingDataException($"{_source.FileName(name)}: in the manifest but missing from {_source.Location}");
        }
    }
}
