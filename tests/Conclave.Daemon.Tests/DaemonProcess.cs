using System.Diagnostics;

namespace Conclave.Daemon.Tests;

/// <summary>Runs the built conclaved as its own process, as systemd would.</summary>
internal static class DaemonProcess
{
    public static async Task<(int ExitCode, string StandardError, string StandardOutput)> RunUntilExitAsync(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "conclaved.dll"));
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
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
}
