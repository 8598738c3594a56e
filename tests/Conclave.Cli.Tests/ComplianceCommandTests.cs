using System.Text.RegularExpressions;
using Conclave.Testing;

namespace Conclave.Cli.Tests;

/// <summary>
/// conclavectl compliance, end to end on development SoftHSM2 tokens in a temporary state
/// directory: the compliance token beside the appliance's, its PIN outside the state directory
/// and on standard input, its escrow keys registered on the appliance token.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed partial class ComplianceCommandTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("conclave-cli-").FullName;

    /// <summary>Where a compliance officer keeps the PIN: anywhere but the appliance's state directory.</summary>
    private readonly string _pins = Directory.CreateTempSubdirectory("conclave-compliance-pins-").FullName;

    private string PinFile => Path.Combine(_pins, "compliance-pin");

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, ["--dev", .. arguments]);

    private (int ExitCode, string Output) RunWithPin(string pin, params string[] arguments) => Conclavectl.RunWithInput(_state, pin + "\n", ["--dev", .. arguments]);

    /// <summary>An appliance token provisioned, and a compliance token created beside it; returns the compliance PIN.</summary>
    private string MakeBothTokens()
    {
        Assert.Equal(0, Run("token", "init").ExitCode);
        Assert.Equal(0, Run("token", "provision").ExitCode);
        var init = Run("compliance", "init", "--pin-file", PinFile);
        Assert.True(init.ExitCode == 0, init.Output);
        Assert.Contains("Created development compliance token conclave-compliance", init.Output);
        return File.ReadAllText(PinFile);
    }

    [GeneratedRegex("[0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4} [0-9A-F]{4}")]
    private static partial Regex EscrowKeyIdPattern();

    private static List<string> EscrowKeyIds(string output) => EscrowKeyIdPattern().Matches(output).Select(m => m.Value).ToList();

    [Fact]
    public void Init_provision_status_self_test_and_register_round_trip_with_the_pin_on_standard_input()
    {
        string pin = MakeBothTokens();
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(PinFile));
        Assert.True(File.Exists(PinFile + ".so"));

        var provision = RunWithPin(pin, "compliance", "provision");
        Assert.True(provision.ExitCode == 0, provision.Output);
        Assert.Equal(3, Regex.Count(provision.Output, "created"));
        Assert.Equal(0, Regex.Count(RunWithPin(pin, "compliance", "provision").Output, "created"));

        var before = RunWithPin(pin, "compliance", "status");
        Assert.True(before.ExitCode == 0, before.Output);
        Assert.Contains("Compliance token conclave-compliance present, logged in", before.Output);
        foreach (string label in new[] { "conclave-compliance-escrow-1", "conclave-compliance-escrow-2", "conclave-compliance-signing" }) Assert.Contains(label, before.Output);
        Assert.Contains("CKM_ECDH1_DERIVE", before.Output);
        Assert.Equal(2, before.Output.Split('\n').Count(line => line.Contains("conclave-compliance-escrow-", StringComparison.Ordinal) && Regex.IsMatch(line.TrimEnd(), @"│ no\s+│$")));
        var statusIds = EscrowKeyIds(before.Output);
        Assert.Equal(3, statusIds.Count); // two escrow keys and the signing key

        var selfTest = RunWithPin(pin, "compliance", "self-test");
        Assert.True(selfTest.ExitCode == 0, selfTest.Output);
        Assert.Equal(3, Regex.Count(selfTest.Output, "pass"));

        var register = RunWithPin(pin, "compliance", "register");
        Assert.True(register.ExitCode == 0, register.Output);
        Assert.Contains("Registered 2 escrow keys on the appliance token conclave", register.Output);
        var registeredIds = EscrowKeyIds(register.Output);
        Assert.Equal(statusIds[..2], registeredIds);

        var after = RunWithPin(pin, "compliance", "status");
        Assert.Equal(0, after.ExitCode);
        var escrowRows = after.Output.Split('\n').Where(line => line.Contains("conclave-compliance-escrow-", StringComparison.Ordinal)).ToList();
        Assert.Equal(2, escrowRows.Count);
        Assert.All(escrowRows, row => Assert.Matches(@"│ yes\s+│$", row.TrimEnd()));

        var applianceStatus = Run("token", "status");
        Assert.Contains($"Registered escrow keys: {string.Join(", ", registeredIds)}.", applianceStatus.Output);
        var objects = Run("token", "objects");
        Assert.Matches(@"CKO_DATA\s+│\s+conclave-escrow-key-1\s+│\s+public", objects.Output);
        Assert.Matches(@"CKO_DATA\s+│\s+conclave-escrow-key-2\s+│\s+public", objects.Output);
        Assert.DoesNotContain("conclave-compliance", objects.Output);

        foreach (var output in new[] { provision.Output, before.Output, selfTest.Output, register.Output, after.Output }) Assert.DoesNotContain(pin, output);
        foreach (string file in Directory.GetFiles(_state, "*", SearchOption.AllDirectories))
        {
            Assert.DoesNotContain(pin, File.ReadAllText(file));
        }
    }

    [Fact]
    public void Token_provision_puts_no_compliance_key_on_the_appliance_token()
    {
        Assert.Equal(0, Run("token", "init").ExitCode);
        Assert.Equal(0, Run("token", "provision").ExitCode);

        var objects = Run("token", "objects");
        Assert.Equal(0, objects.ExitCode);
        foreach (string label in new[] { "conclave-tls", "conclave-credential-ca", "conclave-audit", "conclave-storage-kek" }) Assert.Contains(label, objects.Output);
        Assert.Matches(@"CKO_PRIVATE_KEY\s+│\s+conclave-audit\s+│\s+private", objects.Output);
        Assert.DoesNotContain("escrow", objects.Output);
        Assert.DoesNotContain("conclave-compliance", objects.Output);
    }

    [Fact]
    public void A_wrong_compliance_pin_is_refused_once_with_exit_1_and_without_the_pin()
    {
        string pin = MakeBothTokens();
        const string wrong = "not-the-compliance-pin";

        var refused = RunWithPin(wrong, "compliance", "provision");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains("wrong PIN for token 'conclave-compliance' (not retried", refused.Output);
        Assert.DoesNotContain(wrong, refused.Output);
        Assert.DoesNotContain(pin, refused.Output);
        Assert.Single(refused.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries));

        Assert.Equal(0, RunWithPin(pin, "compliance", "provision").ExitCode);
    }

    [Fact]
    public void A_pin_file_inside_the_state_directory_is_refused_even_through_a_link_and_no_token_is_made()
    {
        Assert.Equal(0, Run("token", "init").ExitCode);
        string inside = Path.Combine(_state, "compliance-pin");
        var refused = Run("compliance", "init", "--pin-file", inside);
        Assert.Equal(2, refused.ExitCode);
        Assert.Contains("the compliance PIN must be kept outside it", refused.Output);
        Assert.False(File.Exists(inside));

        string link = Path.Combine(_pins, "state-link");
        Directory.CreateSymbolicLink(link, _state);
        var throughLink = Run("compliance", "init", "--pin-file", Path.Combine(link, "compliance-pin"));
        Assert.Equal(2, throughLink.ExitCode);
        Assert.False(File.Exists(inside));

        var status = RunWithPin("any-pin", "compliance", "status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("no token labelled 'conclave-compliance'", status.Output);
    }

    [Fact]
    public void The_appliance_token_is_refused_as_the_compliance_token_and_init_needs_dev()
    {
        var same = Conclavectl.RunWithInput(_state, "pin\n", "--dev", "compliance", "status", "--compliance-label", "conclave");
        Assert.Equal(2, same.ExitCode);
        Assert.Contains("the compliance token must be another token than the appliance's", same.Output);

        var withoutDev = Conclavectl.Run(_state, "compliance", "init", "--pin-file", PinFile);
        Assert.Equal(2, withoutDev.ExitCode);
        Assert.Contains("development tokens only", withoutDev.Output);
        Assert.False(File.Exists(PinFile));
    }

    public void Dispose()
    {
        Directory.Delete(_pins, recursive: true);
        Directory.Delete(_state, recursive: true);
    }
}
