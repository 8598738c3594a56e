using Conclave.Keys.Roles;

namespace Conclave.Keys.Tests;

/// <summary>
/// Tests that use the shared token run one at a time: OpenSSL's pkcs11 engine logs in
/// again when it loads a key, and a concurrent operation can fall into that moment
/// (docs/notes.md).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SharedTokenCollection
{
    public const string Name = "shared SoftHSM2 token";
}

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
        var token = Token.Open(Options, () => TokenPin.Read(state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, KeyRoles.All);
        return (state, token);
    });

    public static Token Token => Shared.Value.Token;

    public static string StateDirectory => Shared.Value.StateDirectory;
}
