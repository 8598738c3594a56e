using System.Runtime.InteropServices;

namespace Conclave.Storage;

/// <summary>
/// The state directory holds password hashes, sealed TOTP seeds, sessions, the audit log
/// and the state lock: only the account conclaved runs as may enter it. It is created
/// 0700 and every file the process creates afterwards is 0600, whatever umask the process
/// was started with; a directory that group or others can use is refused, as the token's
/// PIN file is, rather than silently tightened (someone made it so and should know).
/// </summary>
public static class StateDirectory
{
    public const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    /// <summary>umask(2) value that leaves new files 0600 and new directories 0700.</summary>
    private const uint OwnerOnlyUmask = 0b000_111_111; // 0077

    /// <summary>
    /// From now on this process creates files and directories for its owner only
    /// (SQLite's -wal and -shm files, the audit log, the lock, the token's files included).
    /// </summary>
    public static void RestrictNewFilesToOwner()
    {
        if (OperatingSystem.IsLinux()) _ = SetUmask(OwnerOnlyUmask);
    }

    /// <summary>
    /// Creates <paramref name="path"/> 0700 when absent. False, with a one-line refusal,
    /// when it is not a directory or group or others have any access to it.
    /// </summary>
    public static bool TryPrepare(string path, out string? refusal)
    {
        refusal = null;
        if (OperatingSystem.IsWindows())
        {
            Directory.CreateDirectory(path);
            return true;
        }
        if (File.Exists(path))
        {
            refusal = $"state directory {path} is a file, not a directory";
            return false;
        }
        if (!Directory.Exists(path))
        {
            Directory.CreateDirectory(path, OwnerOnly);
            // CreateDirectory applies the umask and leaves parents as they are; the mode of
            // the directory itself is what protects its contents, so set it exactly.
            File.SetUnixFileMode(path, OwnerOnly);
            return true;
        }
        var mode = File.GetUnixFileMode(path);
        if ((mode & GroupOrOthers) != 0)
        {
            refusal = $"state directory {path} is open to group or others (mode {Octal(mode)}): it holds password hashes and the audit log; make it the service account's alone (chmod 700 {path})";
            return false;
        }
        return true;
    }

    private static string Octal(UnixFileMode mode) => "0" + Convert.ToString((int)mode & 0b111_111_111, 8);

    [DllImport("libc.so.6", EntryPoint = "umask")]
    private static extern uint SetUmask(uint mask);
}
