namespace Conclave.Recording.Recorder;

/// <summary>
/// A recording whose storage-KEK layer has been removed, as an offline bundle carries it: the
/// manifest as <c>manifest.json</c> and each segment's plaintext as <c>segment-000001.crsg</c>.
/// Nothing here is checked but what the manifest says (the bundle's own signature covers the manifest).
/// </summary>
public sealed class PlainRecordingSource(string directory) : ISegmentSource
{
    public string Location => directory;

    public string ManifestFileName => SegmentFormat.PlainManifestFileName;

    /// <summary>Writes <paramref name="recording"/> (its manifest as stored, every segment verified) in this layout into <paramref name="destination"/>.</summary>
    /// <exception cref="RecordingDataException">A segment does not verify; what was written must be discarded.</exception>
    public static void Write(RecordingReader recording, string destination)
    {
        Directory.CreateDirectory(destination);
        File.WriteAllBytes(Path.Combine(destination, SegmentFormat.PlainManifestFileName), recording.ManifestUtf8Json);
        foreach (var segment in recording.Manifest.Segments)
        {
            File.WriteAllBytes(Path.Combine(destination, SegmentFormat.PlainSegmentFileName(segment.Name)), recording.ReadSegment(segment));
        }
    }

    public byte[] ReadManifestJson()
    {
        string path = Path.Combine(directory, SegmentFormat.PlainManifestFileName);
        if (!File.Exists(path)) throw new RecordingDataException($"{directory}: no {SegmentFormat.PlainManifestFileName}");
        return File.ReadAllBytes(path);
    }

    public IReadOnlyList<string> SegmentsPresent()
    {
        var names = new List<string>();
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            if (SegmentFormat.TryParsePlainSegmentFileName(Path.GetFileName(path), out string segmentName)) names.Add(segmentName);
        }
        return names;
    }

    public string FileName(string segmentName) => SegmentFormat.PlainSegmentFileName(segmentName);

    public byte[] ReadSegmentPlaintext(ManifestSegment segment)
    {
        string fileName = FileName(segment.Name), path = Path.Combine(directory, fileName);
        if (!File.Exists(path)) throw new RecordingDataException($"{fileName}: in the manifest but missing from {directory}");
        return File.ReadAllBytes(path);
    }
}
