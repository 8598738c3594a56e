namespace Conclave.Storage;

/// <summary>
/// One writer of a state directory at a time: conclaved holds this lock while it runs, and
/// the conclavectl commands that change state (storage key rotation, a user reset) take it
/// too, so neither writes the audit chain or the database under the other. An exclusive
/// open of <see cref="FileName"/> (flock on Linux), released by the kernel if the holder dies.
/// </summary>
public sealed class StateLock : IDisposable
{
    public const string FileName = "conclave.lock";

    private readonly FileStream _file;

    private StateLock(FileStream file) => _file = file;

    /// <summary>The lock, or null when another process holds it.</summary>
    public static StateLock? TryAcquire(string stateDirectory)
    {
        try
        {
            return new StateLock(new FileStream(Path.Combine(stateDirectory, FileName), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None));
        }
        catch (IOException)
        {
            return null;
        }
    }

    public void Dispose() => _file.Dispose();
}
