using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>
/// Deletes a recording for good (docs/recording.md, "Retention and deletion"): every sealed file's
/// wrapped data key is overwritten in place and flushed first, so a copy of the disk made later —
/// or blocks the file system frees but does not erase — opens with no KEK; then the files go.
/// </summary>
public static class RecordingShredder
{
    /// <returns>False when the recording has no directory (nothing was ever stored, or it is gone already).</returns>
    public static bool Shred(RecorderOptions options, string recordingId)
    {
        if (!SegmentFormat.IsDirectoryName(recordingId)) throw new ArgumentException("not a recording id (32 lowercase hex digits)", nameof(recordingId));
        string directory = Path.Combine(options.RecordingsDirectory, recordingId);
        if (!Directory.Exists(directory)) return false;
        foreach (string path in Directory.GetFiles(directory, "*.cnsl"))
        {
            using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            try
            {
                SealedEnvelope.DestroyKey(file, Path.GetFileName(path));
            }
            catch (SealedDataException)
            {
                // Not a sealed object (cut short by a crash): it is deleted with the rest.
            }
            file.Flush(flushToDisk: true);
        }
        Directory.Delete(directory, recursive: true);
        DirectorySync.Sync(options.RecordingsDirectory);
        return true;
    }
}
