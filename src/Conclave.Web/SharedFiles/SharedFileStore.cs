using Conclave.Crypto.Envelopes;
using Conclave.Web.Signalling;

namespace Conclave.Web.SharedFiles;

/// <summary>
/// The sealed bytes of shared files (docs/content-sharing.md): what a browser uploaded (its own
/// ciphertext, whose key the appliance never has) sealed once more under the storage KEK, at
/// <c>&lt;root&gt;/{meetingId}/files/{fileId}</c>, 0600. A file appears whole or not at all: it is
/// written to a temporary name, flushed to disk and renamed. Shredding destroys its wrapped data
/// key in place before the file is deleted.
/// </summary>
public sealed class SharedFileStore(string root, IDataKeyWrapper storageKek)
{
    private const string TemporarySuffix = ".tmp";

    /// <summary>Held while a meeting's directory is made and while a file is shredded, so a shred never removes a directory an upload is about to use.</summary>
    private readonly Lock _directories = new();

    public string Root { get; } = root;

    /// <summary>
    /// Seals exactly <paramref name="bytes"/> read from <paramref name="body"/> into the file. The body
    /// is read in 64 KiB chunks as it arrives, never held whole, on a thread of its own (the sealing
    /// reads synchronously). Whatever fails, no file and no temporary file is left.
    /// </summary>
    /// <exception cref="IncompleteUploadException">The body ended before, or went on past, <paramref name="bytes"/>, or its connection failed.</exception>
    /// <exception cref="IOException">The appliance could not write (disk full).</exception>
    public Task WriteAsync(string meetingId, string fileId, Stream body, long bytes) =>
        Task.Factory.StartNew(() => Write(meetingId, fileId, body, bytes), CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>Opens the file into <paramref name="output"/> on a thread of its own: the ciphertext exactly as uploaded.</summary>
    /// <exception cref="FileNotFoundException">No such file.</exception>
    /// <exception cref="SealedDataException">The file is corrupt; what was written to <paramref name="output"/> must be discarded.</exception>
    public Task OpenAsync(string meetingId, string fileId, Stream output) =>
        Task.Factory.StartNew(() =>
        {
            using var file = new FileStream(PathOf(meetingId, fileId), FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete, 0);
            SealedEnvelope.Open(file, output, storageKek, $"shared file {fileId}");
        }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    /// <summary>
    /// Crypto-shreds the file: its wrapped data key zeroed in place and flushed, then the file (and
    /// any temporary file an interrupted upload left) deleted. Nothing there is not an error.
    /// </summary>
    public void Shred(string meetingId, string fileId)
    {
        string path = PathOf(meetingId, fileId), directory = Path.GetDirectoryName(path)!;
        lock (_directories)
        {
            if (!Directory.Exists(directory)) return;
            if (File.Exists(path))
            {
                using (var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.ReadWrite | FileShare.Delete, 0))
                {
                    try
                    {
                        SealedEnvelope.DestroyKey(file, fileId);
                    }
                    catch (SealedDataException)
                    {
                        // Not a sealed object: nothing to destroy, it is deleted all the same.
                    }
                    file.Flush(flushToDisk: true);
                }
                File.Delete(path);
            }
            File.Delete(path + TemporarySuffix);
            DirectorySync.Sync(directory);
            // A meeting whose files are all gone leaves no trace of its id on disk.
            if (Directory.EnumerateFileSystemEntries(directory).Any()) return;
            Directory.Delete(directory);
            string meetingDirectory = Path.GetDirectoryName(directory)!;
            if (!Directory.EnumerateFileSystemEntries(meetingDirectory).Any()) Directory.Delete(meetingDirectory);
            DirectorySync.Sync(Root);
        }
    }

    /// <summary>The sealed file's path; the ids are checked, so neither can lead outside <see cref="Root"/>.</summary>
    public string PathOf(string meetingId, string fileId)
    {
        if (!ClientMessageParser.IsValidRoom(meetingId)) throw new ArgumentException("not a meeting id", nameof(meetingId));
        if (!IsFileId(fileId)) throw new ArgumentException("not a file id (32 lowercase hex digits)", nameof(fileId));
        return Path.Combine(Root, meetingId, "files", fileId);
    }

    public static bool IsFileId(string? fileId) => fileId is { Length: 32 } && fileId.All(char.IsAsciiHexDigitLower);

    private void Write(string meetingId, string fileId, Stream body, long bytes)
    {
        string final = PathOf(meetingId, fileId), temporary = final + TemporarySuffix;
        string directory = Path.GetDirectoryName(final)!;
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None, BufferSize = 0 };
        // The appliance is Linux; the guard only tells the analyzer so.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        FileStream file;
        lock (_directories)
        {
            CreateOwnerOnly(Root);
            CreateOwnerOnly(Path.GetDirectoryName(directory)!);
            CreateOwnerOnly(directory);
            file = new FileStream(temporary, options);
        }
        try
        {
            var exact = new ExactLengthStream(body, bytes);
            using (file)
            {
                SealedEnvelope.Seal(exact, file, storageKek);
                exact.CheckComplete();
                file.Flush(flushToDisk: true);
            }
            File.Move(temporary, final);
            DirectorySync.Sync(directory);
        }
        catch
        {
            file.Dispose();
            File.Delete(temporary);
            // Renamed but not yet durable: this upload failed, so its file goes too.
            File.Delete(final);
            throw;
        }
    }

    private static void CreateOwnerOnly(string path)
    {
        if (Directory.Exists(path)) return;
        if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
        else Directory.CreateDirectory(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
    }
}

/// <summary>An upload's body was not the length it declared, or its connection failed while it was read.</summary>
public sealed class IncompleteUploadException(string message, Exception? inner = null) : IOException(message, inner);
