using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Conclave.Daemon.Tests;

/// <summary>
/// firmware-config/ checked by the tools that load it on the appliance, without applying any of it
/// to this machine (docs/operations.md).
/// </summary>
public sealed partial class FirmwareConfigTests
{
    private const double MaxExposure = 2.0;

    [Fact]
    public async Task The_conclaved_unit_scores_an_exposure_of_at_most_2_0_in_systemd_analyze_security()
    {
        // --offline=yes reads the unit file alone, so the score does not depend on this machine's
        // PID 1; --threshold=20 makes the tool itself exit non-zero above 2.0.
        var (exitCode, stdout, stderr) = await RunAsync(
            "systemd-analyze", "security", "--offline=yes", "--threshold=20", RepositoryFile("firmware-config/systemd/conclaved.service"));
        var overall = OverallExposure().Match(stdout);
        Assert.True(overall.Success, $"systemd-analyze (exit {exitCode}) printed no overall exposure: {stderr}");
        double exposure = double.Parse(overall.Groups[1].Value, CultureInfo.InvariantCulture);
        Assert.True(exposure <= MaxExposure && exitCode == 0,
            $"conclaved.service scores {exposure} (exit {exitCode}), above {MaxExposure:0.0}; its worst findings:\n{WorstFindings(stdout)}");
    }

    [Fact]
    public async Task The_packet_filter_passes_nft_check()
    {
        // nft -c builds the ruleset in the kernel and discards it. It needs CAP_NET_ADMIN, which
        // unshare gives it in a user and network namespace of its own: the check never sees or
        // touches this machine's rules, and needs no root.
        var (exitCode, _, stderr) = await RunAsync(
            "unshare", "--user", "--map-root-user", "--net", "nft", "-c", "-f", RepositoryFile("firmware-config/nftables.conf"));
        Assert.True(exitCode == 0, $"nft -c refused nftables.conf (exit {exitCode}):\n{stderr}");
    }

    /// <summary>The findings that cost something, dearest first, as the tool printed them.</summary>
    private static string WorstFindings(string report)
    {
        var findings = new List<(double Exposure, string Line)>();
        foreach (var line in report.Split('\n'))
        {
            var finding = Finding().Match(line);
            if (finding.Success) findings.Add((double.Parse(finding.Groups[1].Value, CultureInfo.InvariantCulture), line.TrimEnd()));
        }
        findings.Sort((a, b) => b.Exposure.CompareTo(a.Exposure));
        return string.Join('\n', findings.Take(10).Select(f => f.Line));
    }

    private static string RepositoryFile(string relativePath)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        return Path.Combine(directory?.FullName ?? throw new DirectoryNotFoundException("no Appliance.sln above the test's directory"), relativePath);
    }

    private static async Task<(int ExitCode, string StandardOutput, string StandardError)> RunAsync(string program, params string[] args)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        foreach (var arg in args) start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await process.WaitForExitAsync(timeout.Token);
        return (process.ExitCode, await stdout, await stderr);
    }

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex OverallExposure();

    // A failed check: "✗ Name=  description  0.5".
    [GeneratedRegex(@"^\s*✗.*\s(\d+\.\d+)\s*$")]
    private static partial Regex Finding();
}
