using Conclave.Keys.Roles;

namespace Conclave.Keys.Tests;

/// <summary>
/// One SoftHSM2 token for the whole test run, made by <see cref="DevelopmentToken"/> in a
/// temporary state directory: the module is loaded once per process and reads its
/// configuration once, so every test shares it.
/// </summary>
internal static class SoftHsmToken
{
    public const string Label = "conclave-test";

    public static TokenOptions Options { get; } = new() { ModulePath = DevelopmentToken.SoftHsmModulePath, TokenLabel = Label };

    private static readonly Lazy<(string StateDirectory, Token Token)> Shared = new(() =>
    {
        string state = Directory.CreateTempSubdirectory("conclave-keys-").FullName;
        DevelopmentToken.Initialize(state, Label);
        var token = Token.Open(Options, TokenPin.Read(state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, KeyRoles.All);
        return (state, token);
    });

    public static Token Token => Shared.Value.Token;

    public static string StateDirectory => Shared.Value.StateDirectory;
}
