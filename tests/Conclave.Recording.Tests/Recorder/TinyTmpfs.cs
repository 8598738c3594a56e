using System.Diagnostics;

namespace Conclave.Recording.Tests.Recorder;

/// <summary>
/// A real disk that fills up: a tmpfs of a few pages, mounted in a user and mount namespace of
/// its own (no privilege needed) by a process that then waits, reached from this process through
/// that process's <c>/proc/&lt;pid&gt;/root</c>. Gone when the process is.
/// </summary>
internal sealed class TinyTmpfs : IDisposable
{
    private readonly Process _holder;
    private readonly string _mountPoint;

    public TinyTmpfs(int kibibytes)
    {
        _mountPoint = Directory.CreateTempSubdirectory("conclave-tmpfs-").FullName;
        var start = new ProcessStartInfo("unshare") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (string argument in (string[])["--user", "--map-root-user", "--mount", "sh", "-c",
                     $"mount -t tmpfs -o size={kibibytes}k tmpfs \"$0\" && echo mounted && exec sleep 600", _mountPoint])
        {
            start.ArgumentList.Add(argument);
        }
        _holder = Process.Start(start)!;
        if (_holder.StandardOutput.ReadLine() != "mounted")
        {
            throw new InvalidOperationException($"no tmpfs in a namespace of its own: {_holder.StandardError.ReadToEnd()}");
        }
        Root = $"/proc/{_holder.Id}/root{_mountPoint}";
    }

    /// <summary>The tmpfs as this process reaches it.</summary>
    public string Root { get; }

    public void Dispose()
    {
        _holder.Kill();
        _holder.WaitForExit();
        _holder.Dispose();
        Directory.Delete(_mountPoint);
    }
}
