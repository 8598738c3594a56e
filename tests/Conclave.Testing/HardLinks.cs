using System.Runtime.InteropServices;

namespace Conclave.Testing;

/// <summary>link(2): a second name for a file, to see what happened to its bytes after the first name is gone.</summary>
public static class HardLinks
{
    public static void Create(string existing, string newPath)
    {
        if (Link(existing, newPath) != 0) throw new IOException($"link {existing} {newPath} failed (errno {Marshal.GetLastPInvokeError()})");
    }

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string existing, [MarshalAs(UnmanagedType.LPUTF8Str)] string newPath);
}
