using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;

namespace Conclave.Browser.Tests;

/// <summary>
/// conclaved as a process of its own, on free loopback ports, so a test can kill it as a power
/// cut or an OOM kill would (SIGKILL) and start it again on the same state directory.
/// </summary>
internal sealed partial class ConclavedChild : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private ConclavedChild(Process process, Uri httpsUri)
    {
        _process = process;
        HttpsUri = httpsUri;
    }

    public Uri HttpsUri { get; }

    /// <summary>Everything it printed so far (for a failure message).</summary>
    public string Output
    {
        get
        {
            lock (_output) return _output.ToString();
        }
    }

    public static async Task<ConclavedChild> StartAsync(string stateDirectory)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "conclaved.dll"));
        foreach (string argument in new[] { "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0", $"--Conclave:StateDirectory={stateDirectory}" })
        {
            start.ArgumentList.Add(argument);
        }
        var process = Process.Start(start)!;
        var seen = new StringBuilder();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        _ = process.StandardError.ReadToEndAsync();
        try
        {
            while (await process.StandardOutput.ReadLineAsync(timeout.Token) is { } line)
            {
                seen.AppendLine(line);
                if (UpLine().Match(line) is { Success: true } up)
                {
                    var child = new ConclavedChild(process, new Uri(up.Groups[1].Value));
                    child._output.Append(seen);
                    _ = child.KeepReadingAsync();
                    return child;
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
        process.Kill(entireProcessTree: true);
        throw new Xunit.Sdk.XunitException($"conclaved did not come up within 60 s: {seen}");
    }

    /// <summary>SIGKILL: no handler runs, nothing is flushed or closed.</summary>
    public async Task KillAsync()
    {
        _process.Kill();
        await _process.WaitForExitAsync();
    }

    /// <summary>SIGTERM, as systemd stops it: recordings are closed, the state lock released.</summary>
    public async Task StopAsync()
    {
        using (var term = Process.Start("kill", ["-TERM", _process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
        {
            await term.WaitForExitAsync();
        }
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await _process.WaitForExitAsync(timeout.Token);
    }

    private async Task KeepReadingAsync()
    {
        while (await _process.StandardOutput.ReadLineAsync() is { } line)
        {
            lock (_output) _output.AppendLine(line);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }
        _process.Dispose();
    }

    [GeneratedRegex(@"Conclave is up: console at (https://[^/]+)/console")]
    private static partial Regex UpLine();
}
