using System.ComponentModel;
using System.Runtime.InteropServices;

namespace Conclave.Crypto.Envelopes;

/// <summary>
/// fsync(2) on a directory, so a new name or a rename in it survives a power cut (.NET cannot
/// open a directory): the last step of writing a sealed object durably, for the recorder's
/// segments and the shared-file store alike.
/// </summary>
public static class DirectorySync
{
    private const int OpenReadOnly = 0;

    public static void Sync(string directory)
    {
        if (OperatingSystem.IsWindows()) return;
        int descriptor = OpenNative(directory, OpenReadOnly);
        if (descriptor < 0) throw Failure("open", directory);
        try
        {
            if (FsyncNative(descriptor) != 0) throw Failure("fsync", directory);
        }
        finally
        {
            CloseNative(descriptor);
        }
    }

    private static IOException Failure(string call, string path)
    {
        int errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} {path}: {new Win32Exception(errno).Message}", errno);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int FsyncNative(int descriptor);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int CloseNative(int descriptor);
}
