using Conclave.Keys;
using Conclave.Testing;

namespace Conclave.Cli.Tests;

/// <summary>
/// conclavectl token remove-escrow-key on an appliance token that an older <c>token provision</c>
/// gave an escrow key: named by status, kept without confirmation, destroyed with --yes.
/// </summary>
[Collection(SharedTokenCollection.Name)]
public sealed class RemoveEscrowKeyTests : IDisposable
{
    private readonly string _state;
    private readonly string _label;

    public RemoveEscrowKeyTests()
    {
        (_state, _label) = DevelopmentTokenState.NewStateDirectoryWithOwnToken();
        using var token = DevelopmentTokenState.OpenAt(_state, _label);
        DevelopmentTokenState.AddPreSeparationEscrowKey(token);
    }

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, ["--dev", "--token", _label, .. arguments]);

    private IReadOnlyList<TokenObject> ObjectsOnToken()
    {
        using var token = DevelopmentTokenState.OpenAt(_state, _label);
        return token.Objects();
    }

    [Fact]
    public void Remove_escrow_key_with_yes_destroys_both_halves_of_a_stray_escrow_key_and_nothing_else()
    {
        var status = Run("token", "status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("Compliance keys on the appliance token (conclave-compliance-escrow): conclaved refuses to start; remove them with conclavectl token remove-escrow-key", status.Output);

        var unconfirmed = Run("token", "remove-escrow-key");
        Assert.Equal(2, unconfirmed.ExitCode);
        Assert.Contains("add --yes", unconfirmed.Output);
        Assert.Equal(2, ObjectsOnToken().Count(o => o.Label == "conclave-compliance-escrow"));

        var before = ObjectsOnToken().Where(o => o.Label != "conclave-compliance-escrow").ToList();
        var removed = Run("token", "remove-escrow-key", "--yes");
        Assert.True(removed.ExitCode == 0, removed.Output);
        Assert.Contains($"Removed conclave-compliance-escrow (private and public key) from the appliance token {_label}", removed.Output);
        var after = ObjectsOnToken();
        Assert.DoesNotContain(after, o => o.Label.StartsWith("conclave-compliance", StringComparison.Ordinal));
        Assert.Equal(before, after);

        var again = Run("token", "remove-escrow-key", "--yes");
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("holds no compliance key: nothing to remove", again.Output);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
