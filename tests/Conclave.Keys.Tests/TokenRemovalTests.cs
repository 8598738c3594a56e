using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Keys.Tests;

/// <summary>
/// A token removed while in use: every operation fails with a clear error naming the
/// token, never a raw PKCS#11 exception or a crash. SoftHSM2's "removal" is its token
/// directory disappearing; putting a token back is <see cref="TokenReinsertionTests"/>.
/// </summary>
[Collection(SharedTokenCollection.Name)]
public sealed class TokenRemovalTests
{
    [Fact]
    public void A_removed_token_fails_with_a_clear_error_naming_it()
    {
        _ = DevelopmentTokenState.Token; // the module is loaded with the shared configuration
        string tokenDirectory = Path.Combine(DevelopmentTokenState.StateDirectory, "softhsm", "tokens");
        var before = Directory.GetDirectories(tokenDirectory).ToHashSet();
        string state = Directory.CreateTempSubdirectory("conclave-removal-").FullName;
        DevelopmentToken.Initialize(state, "conclave-removal");
        string removed = Directory.GetDirectories(tokenDirectory).Single(d => !before.Contains(d));
        using var token = Token.Open(new TokenOptions { TokenLabel = "conclave-removal" }, () => TokenPin.Read(state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, [KeyRole.AuditSigning, KeyRole.StorageKek]);
        token.SignDer(KeyRole.AuditSigning, [1, 2, 3]);

        Directory.Move(removed, removed + "-pulled-out");
        try
        {
            foreach (var operation in new Action[] { () => token.SignDer(KeyRole.AuditSigning, [1, 2, 3]), () => token.WrapDataKey(new byte[32]), () => token.ExportPublicKey(KeyRole.AuditSigning) })
            {
                var failure = Assert.Throws<TokenException>(operation);
                Assert.Contains("token 'conclave-removal'", failure.Message);
            }
        }
        finally
        {
            Directory.Move(removed + "-pulled-out", removed);
        }
    }
}
