namespace Conclave.Recording.Recorder;

/// <summary>
/// Where a <see cref="RecordingReader"/> gets a recording's manifest and segment plaintext:
/// the recording directory itself (<see cref="SealedRecordingSource"/>, segments sealed under the
/// storage KEK) or an offline bundle that carries them without that layer (<see cref="PlainRecordingSource"/>).
/// Each source checks what only it can (the sealed file's hash and chunk tags); the reader
/// checks the rest against the manifest.
/// </summary>
public interface ISegmentSource
{
    /// <summary>The directory or bundle, for messages.</summary>
    string Location { get; }

    /// <summary>The manifest's file, for messages.</summary>
    string ManifestFileName { get; }

    /// <summary>The manifest's UTF-8 JSON exactly as stored.</summary>
    /// <exception cref="RecordingDataException">It is missing or does not open.</exception>
    byte[] ReadManifestJson();

    /// <summary>The segments present, by their manifest names (<c>segment-000001.cnsl</c>).</summary>
    IReadOnlyList<string> SegmentsPresent();

    /// <summary>The file that holds the segment of this manifest name, for messages.</summary>
    string FileName(string segmentName);

    /// <summary>The segment's plaintext.</summary>
    /// <exception cref="RecordingDataException">Missing, altered or not the manifest's; the message names the file (and the chunk).</exception>
    byte[] ReadSegmentPlaintext(ManifestSegment segment);
}
