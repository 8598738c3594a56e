using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Export;

/// <summary>
/// The directory an export writes to, and what makes it resumable: each output is written as
/// <c>name.partial</c>, fsync'd and renamed, then listed with its SHA-256 in the progress file
/// (<see cref="ProgressFileName"/>, itself replaced the same way). A re-run skips an output the
/// progress file lists whose file still has that hash. A directory is the export's when it is new,
/// empty, or holds the progress file of the same recording and nothing but what the export writes;
/// anything else is refused, so an export never mixes with or overwrites files it did not write.
/// Files are the owner's alone (0600, the directory 0700): they are the recording in the clear.
/// </summary>
internal sealed class ExportDirectory
{
    public const string ProgressFileName = ".conclave-export.json";
    public const string SpillDirectoryName = ".conclave-export-spill";
    public const string PartialSuffix = ".partial";
    public const string ManifestFileName = "manifest.json";
    public const string SignatureFileName = "manifest.sig";
    public const string SigningKeyFileName = "signing-key.pem";
    public const string ReadmeFileName = "README.txt";

    private const UnixFileMode OwnerOnlyFile = UnixFileMode.UserRead | UnixFileMode.UserWrite;
    private const UnixFileMode OwnerOnlyDirectory = OwnerOnlyFile | UnixFileMode.UserExecute;
    private static readonly string[] AlwaysRewritten = [ManifestFileName, SignatureFileName, SigningKeyFileName, ReadmeFileName];

    private readonly ExportProgressFile _progress;

    private ExportDirectory(string path, ExportProgressFile progress)
    {
        Path = path;
        _progress = progress;
    }

    public string Path { get; }

    public string SpillPath => System.IO.Path.Combine(Path, SpillDirectoryName);

    /// <summary>Opens (or creates) the directory for an export of this recording, clearing what an interrupted run left half-written.</summary>
    /// <exception cref="RecordingExportException">The directory holds files this export did not write, or another recording's export.</exception>
    public static ExportDirectory Open(string path, string recordingId, string manifestSha256, string inputsSha256)
    {
        string progressPath = System.IO.Path.Combine(path, ProgressFileName);
        if (!Directory.Exists(path))
        {
            if (OperatingSystem.IsWindows()) Directory.CreateDirectory(path);
            else Directory.CreateDirectory(path, OwnerOnlyDirectory);
        }
        var present = new List<string>();
        foreach (string entry in Directory.EnumerateFileSystemEntries(path)) present.Add(System.IO.Path.GetFileName(entry));
        if (!present.Contains(ProgressFileName))
        {
            if (present.Count > 0) throw Foreign(path, present);
            var directory = new ExportDirectory(path, new ExportProgressFile(recordingId, manifestSha256, inputsSha256, []));
            directory.SaveProgress();
            return directory;
        }
        var progress = ReadProgress(progressPath);
        if (progress.RecordingId != recordingId || progress.ManifestSha256 != manifestSha256)
        {
            throw new RecordingExportException($"{path} holds the export of recording {progress.RecordingId}, not of {recordingId}: export into a new directory");
        }
        if (progress.InputsSha256 != inputsSha256)
        {
            throw new RecordingExportException($"{path} holds an export begun with other escrow keys or another credential CA key: resume it with the same keys, or export into a new directory");
        }
        var known = new HashSet<string>(AlwaysRewritten, StringComparer.Ordinal) { ProgressFileName, SpillDirectoryName, ChatTranscript.FileName };
        foreach (var output in progress.Outputs)
        {
            if (output.File is not null) known.Add(output.File);
        }
        var foreign = new List<string>();
        foreach (string name in present)
        {
            if (!known.Contains(name) && !name.EndsWith(PartialSuffix, StringComparison.Ordinal)) foreign.Add(name);
        }
        if (foreign.Count > 0) throw Foreign(path, foreign);
        foreach (string name in present)
        {
            if (name.EndsWith(PartialSuffix, StringComparison.Ordinal)) File.Delete(System.IO.Path.Combine(path, name));
        }
        string spill = System.IO.Path.Combine(path, SpillDirectoryName);
        if (Directory.Exists(spill)) Directory.Delete(spill, recursive: true);
        return new ExportDirectory(path, progress);
    }

    /// <summary>The output when an earlier run completed it and its file still has the hash it was listed with; else null (and forgotten).</summary>
    public CompletedOutput? Completed(string output)
    {
        int index = _progress.Outputs.FindIndex(o => o.Output == output);
        if (index < 0) return null;
        var completed = _progress.Outputs[index];
        if (completed.File is null) return completed;
        string path = System.IO.Path.Combine(Path, completed.File);
        if (File.Exists(path) && Sha256Of(path) == completed.Sha256) return completed;
        _progress.Outputs.RemoveAt(index);
        SaveProgress();
        return null;
    }

    /// <summary>
    /// Writes <paramref name="fileName"/> through its partial file and returns its facts; null, and
    /// no file, when <paramref name="write"/> wrote nothing and <paramref name="keepEmpty"/> is false.
    /// </summary>
    public FileFacts? WriteFile(string fileName, Action<FileStream> write, bool keepEmpty = true)
    {
        string final = System.IO.Path.Combine(Path, fileName), partial = final + PartialSuffix;
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.ReadWrite, Share = FileShare.None, BufferSize = 1 << 16 };
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = OwnerOnlyFile;
        long length;
        using (var file = new FileStream(partial, options))
        {
            write(file);
            file.Flush(flushToDisk: true);
            length = file.Length;
        }
        if (length == 0 && !keepEmpty)
        {
            File.Delete(partial);
            return null;
        }
        string sha256 = Sha256Of(partial);
        File.Move(partial, final, overwrite: true);
        DirectorySync.Sync(Path);
        return new FileFacts(fileName, sha256, length);
    }

    /// <summary>Lists a finished output, so that a re-run skips it.</summary>
    public void Complete(CompletedOutput output)
    {
        _progress.Outputs.RemoveAll(o => o.Output == output.Output);
        _progress.Outputs.Add(output);
        SaveProgress();
    }

    public static string Sha256Of(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(file));
    }

    private void SaveProgress() =>
        WriteFile(ProgressFileName, file => JsonSerializer.Serialize(file, _progress, ExportJsonContext.Indented.ExportProgressFile));

    private static ExportProgressFile ReadProgress(string path)
    {
        try
        {
            return JsonSerializer.Deserialize(File.ReadAllBytes(path), ExportJsonContext.Indented.ExportProgressFile)
                ?? throw new JsonException("null");
        }
        catch (JsonException e)
        {
            throw new RecordingExportException($"{path} is not an export's progress file ({e.Message}): export into a new directory", e);
        }
    }

    private static RecordingExportException Foreign(string path, List<string> names) =>
        new($"{path} holds files this export did not write ({string.Join(", ", names.Take(5))}{(names.Count > 5 ? ", …" : "")}): export into a new or empty directory");
}

/// <summary>The export cannot run as asked: its output directory is not its own. Nothing was written.</summary>
public sealed class RecordingExportException(string message, Exception? inner = null) : Exception(message, inner);
