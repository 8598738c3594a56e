using System.Diagnostics;

namespace Conclave.Daemon.Tests;

/// <summary>Runs the built conclaved as its own process, as systemd would.</summary>
internal static class DaemonProcess
{
    /// <summary>Starts conclaved with its standard output and error redirected, for the caller to read.</summary>
    public static Process Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "conclaved.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        return Process.Start(start)!;
    }

    public static async Task<(int ExitCode, string StandardError, string StandardOutput)> RunUntilExitAsync(params string[] args)
    {
        using var process = Start(args);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException("conclaved did not exit within 30 s; it should refuse to start");
        }
        return (process.ExitCode, await stderr, await stdout);
    }

    /// <summary>
    /// Starts conclaved under the given umask (as an administrator's shell might have it),
    /// waits until it says it is up, then stops it with SIGTERM as systemd does.
    /// </summary>
    public static async Task RunUntilReadyThenStopAsync(string umask, params string[] args)
    {
        var start = new ProcessStartInfo("/bin/sh")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in new[] { "-c", $"umask {umask} && exec dotnet \"$@\"", "sh", Path.Combine(AppContext.BaseDirectory, "conclaved.dll") }.Concat(args))
        {
            start.ArgumentList.Add(arg);
        }
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                if (line.Contains("Conclave is up", StringComparison.Ordinal)) break;
            }
            using (var term = Process.Start("kill", ["-TERM", process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                await term.WaitForExitAsync(timeout.Token);
            }
            _ = process.StandardOutput.ReadToEndAsync();
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new Xunit.Sdk.XunitException($"conclaved did not start and stop within 30 s: {await stderr}");
        }
        if (process.ExitCode != 0) throw new Xunit.Sdk.XunitException($"conclaved exited {process.ExitCode}: {await stderr}");
    }
}
