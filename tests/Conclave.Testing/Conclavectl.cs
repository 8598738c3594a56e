using System.Diagnostics;

namespace Conclave.Testing;

/// <summary>
/// Runs the built conclavectl as its own process, as an operator would (the test project
/// references Conclave.Cli, so conclavectl.dll sits beside the tests).
/// </summary>
public static class Conclavectl
{
    public static (int ExitCode, string Output) Run(string stateDirectory, params string[] arguments) => RunWithInput(stateDirectory, null, arguments);

    /// <summary>Runs conclavectl with <paramref name="input"/> on its standard input (a password, say: never an argument).</summary>
    public static (int ExitCode, string Output) RunWithInput(string stateDirectory, string? input, params string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "conclavectl.dll"));
        start.ArgumentList.Add("--state-dir");
        start.ArgumentList.Add(stateDirectory);
        foreach (var argument in arguments) start.ArgumentList.Add(argument);
        start.Environment["COLUMNS"] = "200"; // wide tables: assertions look for whole words
        using var process = Process.Start(start)!;
        if (input is not null) process.StandardInput.Write(input);
        process.StandardInput.Close();
        var stderr = process.StandardError.ReadToEndAsync();
        string output = process.StandardOutput.ReadToEnd();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"conclavectl {string.Join(' ', arguments)} did not finish within 5 minutes");
        }
        return (process.ExitCode, output + stderr.Result);
    }
}
