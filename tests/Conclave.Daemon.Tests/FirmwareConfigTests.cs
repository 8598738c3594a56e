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

    [Fact]
    public async Task Chronyd_parses_the_chrony_configuration_and_it_names_no_time_server()
    {
        // chronyd -p parses the file as the daemon would, prints it and exits, non-zero on any directive it refuses.
        var (exitCode, stdout, stderr) = await RunAsync(Chronyd(), "-p", "-f", RepositoryFile("firmware-config/chrony/chrony.conf"));
        Assert.True(exitCode == 0, $"chronyd -p refused chrony.conf (exit {exitCode}):\n{stderr}");
        Assert.DoesNotMatch(TimeSourceDirective(), stdout);
        Assert.Contains("sourcedir /etc/chrony/sources.d", stdout);
        Assert.Contains("cmdport 0", stdout);
    }

    [Fact]
    public async Task The_polkit_rules_grant_the_conclave_user_the_system_pages_actions_and_nothing_else()
    {
        string[] granted =
        [
            "org.freedesktop.hostname1.set-static-hostname",
            "org.freedesktop.login1.reboot", "org.freedesktop.login1.reboot-multiple-sessions",
            "org.freedesktop.login1.power-off", "org.freedesktop.login1.power-off-multiple-sessions",
        ];
        string[] others =
        [
            "org.freedesktop.hostname1.set-hostname", "org.freedesktop.hostname1.set-machine-info",
            "org.freedesktop.login1.reboot-ignore-inhibit", "org.freedesktop.login1.power-off-ignore-inhibit", "org.freedesktop.login1.halt",
            "org.freedesktop.timedate1.set-time", "org.freedesktop.systemd1.manage-units",
        ];
        (string User, string Action)[] asked = [.. granted.Select(a => ("conclave", a)), .. others.Select(a => ("conclave", a)), .. granted.Select(a => ("alice", a))];

        var answers = await PolkitAnswersAsync(asked);

        Assert.Equal([.. granted.Select(_ => "yes"), .. others.Select(_ => "not handled"), .. granted.Select(_ => "not handled")], answers);
    }

    /// <summary>
    /// What the rules file answers each (user, action), run by Node with the polkit object stubbed: the rules'
    /// own code decides; "not handled" leaves the decision to polkit's defaults.
    /// </summary>
    private static async Task<string[]> PolkitAnswersAsync((string User, string Action)[] asked)
    {
        const string Harness = """
            const vm = require("vm"), fs = require("fs");
            const [file, asked] = process.argv.slice(1);
            const rules = [];
            const polkit = { Result: { YES: "yes", NO: "no", AUTH_SELF: "auth_self", AUTH_ADMIN: "auth_admin", NOT_HANDLED: null },
              addRule: rule => rules.push(rule), log: () => {} };
            vm.runInNewContext(fs.readFileSync(file, "utf8"), { polkit }, { filename: file });
            const answer = (user, id) => {
              for (const rule of rules) { const result = rule({ id }, { user }); if (result) return result; }
              return "not handled";
            };
            console.log(JSON.parse(asked).map(([user, id]) => answer(user, id)).join("\n"));
            """;
        string questions = System.Text.Json.JsonSerializer.Serialize(asked.Select(a => new[] { a.User, a.Action }));
        var (exitCode, stdout, stderr) = await RunAsync("node", "-e", Harness, RepositoryFile("firmware-config/polkit-1/rules.d/50-conclave.rules"), questions);
        Assert.True(exitCode == 0, $"the polkit rules did not run (exit {exitCode}):\n{stderr}");
        return stdout.TrimEnd('\n').Split('\n');
    }

    /// <summary>Debian's chronyd where chrony is installed, else the one scripts/setup.sh unpacks from Debian's package.</summary>
    private static string Chronyd()
    {
        string unpacked = RepositoryFile("artifacts/tools/chrony/usr/sbin/chronyd");
        return File.Exists("/usr/sbin/chronyd") ? "/usr/sbin/chronyd"
            : File.Exists(unpacked) ? unpacked
            : throw new FileNotFoundException($"no chronyd: scripts/setup.sh unpacks Debian's chrony package to {unpacked}");
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

    [GeneratedRegex(@"(?m)^\s*(server|pool|peer)\b")]
    private static partial Regex TimeSourceDirective();

    [GeneratedRegex(@"Overall exposure level for \S+: (\d+\.\d+)")]
    private static partial Regex OverallExposure();

    // A failed check: "✗ Name=  description  0.5".
    [GeneratedRegex(@"^\s*✗.*\s(\d+\.\d+)\s*$")]
    private static partial Regex Finding();
}
