using Conclave.Testing;

namespace Conclave.Cli.Tests;

/// <summary>conclavectl token, end to end on a development SoftHSM2 token in a temporary state directory.</summary>
public sealed class TokenCommandTests : IDisposable
{
    private readonly string _state = Directory.CreateTempSubdirectory("conclave-cli-").FullName;

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, arguments);

    private string Pin => File.ReadAllText(Path.Combine(_state, "token-pin"));

    [Fact]
    public void Init_creates_the_development_token_once()
    {
        var init = Run("--dev", "token", "init");
        Assert.Equal(0, init.ExitCode);
        Assert.Contains("Created development token", init.Output);
        Assert.Equal(0, Run("--dev", "token", "init").ExitCode);
        Assert.DoesNotContain(Pin, init.Output);
    }

    [Fact]
    public void Provisioning_twice_creates_each_appliance_role_key_and_certificate_once()
    {
        Assert.Equal(0, Run("--dev", "token", "init").ExitCode);

        var first = Run("--dev", "token", "provision");
        Assert.Equal(0, first.ExitCode);
        Assert.Equal(4, CountOccurrences(first.Output, "created"));
        var second = Run("--dev", "token", "provision");
        Assert.Equal(0, second.ExitCode);
        Assert.Equal(0, CountOccurrences(second.Output, "created"));
        Assert.Equal(4, CountOccurrences(second.Output, "kept"));

        Assert.Contains("Issued the CredentialCa certificate", first.Output);
        Assert.Contains("Issued the TlsIdentity certificate", first.Output);
        Assert.DoesNotContain("Issued", second.Output);
        Assert.DoesNotContain(Pin, first.Output);
    }

    [Fact]
    public void Status_and_self_test_describe_a_provisioned_token()
    {
        Assert.Equal(0, Run("--dev", "token", "init").ExitCode);
        Assert.Equal(0, Run("--dev", "token", "provision").ExitCode);

        var status = Run("--dev", "token", "status");
        Assert.Equal(0, status.ExitCode);
        Assert.Contains("CN=Conclave credential CA", status.Output);
        Assert.Contains(DateTime.UtcNow.AddDays(365).ToString("yyyy-", System.Globalization.CultureInfo.InvariantCulture), status.Output);
        Assert.Contains("present, logged in", status.Output);
        Assert.Contains("Registered escrow keys: none", status.Output);
        Assert.Contains("CKM_AES_KEY_WRAP_PAD", status.Output);

        var selfTest = Run("--dev", "token", "self-test");
        Assert.Equal(0, selfTest.ExitCode);
        Assert.Equal(4, CountOccurrences(selfTest.Output, "pass"));

        foreach (var output in new[] { status.Output, selfTest.Output }) Assert.DoesNotContain(Pin, output);
    }

    [Fact]
    public void Init_without_dev_is_refused_as_a_misuse()
    {
        var result = Run("token", "init");
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("development tokens only", result.Output);
    }

    [Fact]
    public void Status_without_a_pin_says_where_the_pin_should_be()
    {
        var result = Run("--dev", "token", "status");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("no token PIN", result.Output);
    }

    [Fact]
    public void A_wrong_pin_is_reported_once_without_being_printed()
    {
        Assert.Equal(0, Run("--dev", "token", "init").ExitCode);
        string pinFile = Path.Combine(_state, "token-pin");
        File.WriteAllText(pinFile, "not-the-pin-at-all");
        var result = Run("--dev", "token", "status");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("wrong PIN", result.Output);
        Assert.DoesNotContain("not-the-pin-at-all", result.Output);
    }

    private static int CountOccurrences(string text, string word)
    {
        int count = 0;
        for (int at = text.IndexOf(word, StringComparison.Ordinal); at >= 0; at = text.IndexOf(word, at + word.Length, StringComparison.Ordinal)) count++;
        return count;
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
