using System.Diagnostics;

namespace Conclave.Cli.Tests;

/// <summary>Runs the built conclavectl as its own process, as an operator would.</summary>
internal static class Conclavectl
{
    public static (int ExitCode, string Output) Run(string stateDirectory, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "conclavectl.dll"));
        start.ArgumentList.Add("--state-dir");
        start.ArgumentList.Add(stateDirectory);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["COLUMNS"] = "200"; // wide tables: assertions look for whole words
        using var process = Process.Start(start)!;
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        Assert.True(process.WaitForExit(60_000), "conclavectl did not finish within 60 s");
        return (process.ExitCode, output + stderr.Result);
    }
}
