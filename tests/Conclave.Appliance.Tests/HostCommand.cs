using System.Diagnostics;
using System.Text;

namespace Conclave.Appliance.Tests;

/// <summary>A command run on the test machine with a deadline: on timeout it is killed (with its children) and the caller is told what it printed last.</summary>
internal static class HostCommand
{
    public sealed record Result(int ExitCode, string Output, TimeSpan Elapsed);

    /// <param name="logPath">Where everything it prints goes as it prints it (standard output and error together).</param>
    public static async Task<Result> RunAsync(string fileName, IEnumerable<string> arguments, TimeSpan timeout, string? logPath = null, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = workingDirectory ?? Environment.CurrentDirectory,
        };
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        var output = new StringBuilder();
        using var log = logPath is null ? null : new StreamWriter(logPath, append: false) { AutoFlush = true };
        void Collect(string? line)
        {
            if (line is null) return;
            lock (output)
            {
                output.AppendLine(line);
                log?.WriteLine(line);
            }
        }
        var stopwatch = Stopwatch.StartNew();
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{fileName} did not start");
        process.OutputDataReceived += (_, e) => Collect(e.Data);
        process.ErrorDataReceived += (_, e) => Collect(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var deadline = new CancellationTokenSource(timeout);
        try
        {
            await process.WaitForExitAsync(deadline.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            throw new TimeoutException($"{fileName} {string.Join(' ', start.ArgumentList)} did not finish in {timeout.TotalMinutes:0.#} min; it printed last:\n{Tail(Snapshot(output), 40)}");
        }
        return new Result(process.ExitCode, Snapshot(output), stopwatch.Elapsed);
    }

    private static string Snapshot(StringBuilder output)
    {
        lock (output) return output.ToString();
    }

    /// <summary>The last <paramref name="lines"/> lines of a text.</summary>
    public static string Tail(string text, int lines)
    {
        var all = text.TrimEnd().Split('\n');
        return string.Join('\n', all.Skip(Math.Max(0, all.Length - lines)));
    }
}
