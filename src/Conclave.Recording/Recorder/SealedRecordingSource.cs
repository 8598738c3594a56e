using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>A recording directory as the recorder wrote it: manifest and segments sealed under the storage KEK.</summary>
public sealed class SealedRecordingSource(string directory, IDataKeyWrapper storageKek) : ISegmentSource
{
    public string Location => directory;

    public string ManifestFileName => SegmentFormat.ManifestFileName;

    public byte[] ReadManifestJson()
    {
        string path = Path.Combine(directory, SegmentFormat.ManifestFileName);
        if (!File.Exists(path))
        {
            throw new RecordingDataException($"{directory}: no {SegmentFormat.ManifestFileName} (the recording is still running, or conclaved has not recovered it since a crash)");
        }
        return Open(File.ReadAllBytes(path), SegmentFormat.ManifestFileName);
    }

    public IReadOnlyList<string> SegmentsPresent()
    {
        var names = new List<string>();
        foreach (string path in Directory.EnumerateFiles(directory))
        {
            string name = Path.GetFileName(path);
            if (SegmentFormat.TryParseSegmentFileName(name, out _)) names.Add(name);
        }
        return names;
    }

    public string FileName(string segmentName) => segmentName;

    public byte[] ReadSegmentPlaintext(ManifestSegment segment)
    {
        string path = Path.Combine(directory, segment.Name);
        if (!File.Exists(path)) throw new RecordingDataException($"{segment.Name}: in the manifest but missing from {directory}");
        var sealedFile = File.ReadAllBytes(path);
        var plaintext = Open(sealedFile, segment.Name);
        if (!string.Equals(Convert.ToHexStringLower(SegmentFormat.SealedSha256(sealedFile)), segment.Sha256, StringComparison.Ordinal))
        {
            throw new RecordingDataException($"{segment.Name}: its SHA-256 is not the manifest's (another sealed file put in its place)");
        }
        return plaintext;
    }

    private byte[] Open(byte[] sealedBytes, string fileName)
    {
        try
        {
            return SealedEnvelope.Open(sealedBytes, storageKek, fileName);
        }
        catch (SealedDataException e)
        {
            // The envelope's message starts with the file's name and says which chunk failed.
            throw new RecordingDataException(e.Message, e);
        }
    }
}
