using Conclave.Crypto.Envelopes;
using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Crypto.Tests;

/// <summary>A SoftHSM2 token's storage KEK as the envelope's key wrapper, shared by the test run.</summary>
internal sealed class TokenKeyWrapper(Token token, string? kekLabel = null) : IDataKeyWrapper
{
    private static readonly Lazy<Token> SharedToken = new(() =>
    {
        string state = Directory.CreateTempSubdirectory("conclave-seal-").FullName;
        DevelopmentToken.Initialize(state, "conclave-seal-test");
        var token = Token.Open(new TokenOptions { TokenLabel = "conclave-seal-test" }, TokenPin.Read(state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, [KeyRole.StorageKek]);
        return token;
    });

    public static Token Shared => SharedToken.Value;

    public byte[] Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey, kekLabel);

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey, kekLabel);
}
