using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Recorder;

/// <summary>
/// Files that are either absent or complete after a crash: written to <c>name.tmp</c>,
/// fsync'd, renamed over <c>name</c> (rename(2) is atomic), and the directory fsync'd so the
/// rename itself survives a power cut.
/// </summary>
internal static class DurableFile
{
    private const int Enospc = 28;
    private const int Edquot = 122;

    /// <exception cref="IOException">The file could not be written; nothing of it is left behind.</exception>
    public static void Write(string directory, string name, ReadOnlySpan<byte> content, bool overwrite)
    {
        string final = Path.Combine(directory, name), temporary = final + SegmentFormat.TemporarySuffix;
        try
        {
            var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
            // The appliance is Linux; the guard only tells the analyzer so.
            if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var file = new FileStream(temporary, options))
            {
                file.Write(content);
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, final, overwrite);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            TryDelete(temporary);
            throw;
        }
        DirectorySync.Sync(directory);
    }

    /// <summary>A failure of the disk itself being full (ENOSPC, or EDQUOT for a quota) rather than any other I/O error.</summary>
    public static bool IsDiskFull(Exception e) => e is IOException { HResult: Enospc or Edquot };

    public static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for crash recovery, which deletes every leftover *.tmp at the next start.
        }
    }
}
