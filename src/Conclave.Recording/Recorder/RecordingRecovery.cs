using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>
/// Run at daemon start, before any recording starts: a recording directory without a
/// manifest was recording when the daemon died. Its leftover <c>*.tmp</c> files (a segment or
/// manifest cut short) are deleted, and it gets a manifest listing every sealed segment that
/// opens and reads, <c>endedBy</c> "recovered-after-crash".
/// </summary>
public static class RecordingRecovery
{
    /// <summary>What recovery did with one recording directory.</summary>
    /// <param name="Manifest">The manifest written; null when nothing could be (see <paramref name="Problem"/>).</param>
    /// <param name="UnreadableSegments">Segment files left out of the manifest because they do not open or read (left on disk: the export names them).</param>
    public sealed record Outcome(string Directory, RecordingManifest? Manifest, IReadOnlyList<string> UnreadableSegments, string? Problem);

    public static IReadOnlyList<Outcome> RecoverAll(RecorderOptions options, IDataKeyWrapper storageKek)
    {
        var outcomes = new List<Outcome>();
        if (!Directory.Exists(options.RecordingsDirectory)) return outcomes;
        foreach (string directory in Directory.GetDirectories(options.RecordingsDirectory))
        {
            if (!SegmentFormat.IsDirectoryName(Path.GetFileName(directory))) continue;
            foreach (string leftover in Directory.GetFiles(directory, "*" + SegmentFormat.TemporarySuffix)) File.Delete(leftover);
            if (File.Exists(Path.Combine(directory, SegmentFormat.ManifestFileName))) continue;
            if (Recover(directory, storageKek) is { } outcome) outcomes.Add(outcome);
        }
        return outcomes;
    }

    private static Outcome? Recover(string directory, IDataKeyWrapper storageKek)
    {
        var segmentFiles = new SortedDictionary<uint, string>();
        foreach (string path in Directory.GetFiles(directory))
        {
            if (SegmentFormat.TryParseSegmentFileName(Path.GetFileName(path), out uint index)) segmentFiles.Add(index, path);
        }
        string startPath = Path.Combine(directory, SegmentFormat.StartFileName);
        if (!File.Exists(startPath))
        {
            // The daemon died while starting the recording: the start file is written before any segment.
            if (segmentFiles.Count == 0 && Directory.GetFileSystemEntries(directory).Length == 0)
            {
                Directory.Delete(directory);
                return null;
            }
            return new Outcome(directory, null, [], $"no {SegmentFormat.StartFileName} beside its segments: not a directory the recorder wrote, left as it is");
        }
        RecordingManifest start;
        try
        {
            start = RecordingManifest.Parse(SealedEnvelope.Open(File.ReadAllBytes(startPath), storageKek, SegmentFormat.StartFileName), SegmentFormat.StartFileName);
        }
        catch (Exception e) when (e is SealedDataException or RecordingDataException)
        {
            return new Outcome(directory, null, [], e.Message);
        }

        var segments = new List<ManifestSegment>();
        var unreadable = new List<string>();
        long dropped = 0;
        foreach (var (index, path) in segmentFiles)
        {
            string name = Path.GetFileName(path);
            try
            {
                var sealedFile = File.ReadAllBytes(path);
                var plaintext = SealedEnvelope.Open(sealedFile, storageKek, name);
                var (recordingId, headerIndex, startedUnixMs) = SegmentParser.ReadHeader(plaintext, name);
                if (Convert.ToHexStringLower(recordingId) != start.RecordingId || headerIndex != index || startedUnixMs != start.StartedUnixMs)
                {
                    throw new RecordingDataException($"{name}: its header is not this recording's segment {index}");
                }
                var records = SegmentParser.ReadRecords(plaintext, name);
                if (records.Count == 0) throw new RecordingDataException($"{name}: no records");
                foreach (var record in records)
                {
                    if (record is RecordedGap gap) dropped += gap.DroppedRecords;
                }
                segments.Add(new ManifestSegment(name,
                    Convert.ToHexStringLower(SegmentFormat.SealedSha256(sealedFile)),
                    Convert.ToHexStringLower(SHA256.HashData(plaintext)),
                    records.Count, plaintext.Length, records[0].ArrivalUs, records[^1].ArrivalUs));
            }
            catch (Exception e) when (e is SealedDataException or RecordingDataException)
            {
                unreadable.Add(name);
            }
        }
        var manifest = start with
        {
            // The last record recovered is the latest moment known to be recorded.
            StoppedUnixMs = start.StartedUnixMs + (segments.Count == 0 ? 0 : (long)(segments[^1].LastArrivalUs / 1000)),
            Segments = segments,
            DroppedRecords = dropped,
            EndedBy = EndedBy.RecoveredAfterCrash,
        };
        DurableFile.Write(directory, SegmentFormat.ManifestFileName, SealedEnvelope.Seal(manifest.ToUtf8Json(), storageKek), overwrite: false);
        return new Outcome(directory, manifest, unreadable, null);
    }
}
