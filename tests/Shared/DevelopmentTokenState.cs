using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Testing;

/// <summary>
/// One development token per test process (the PKCS#11 module reads its configuration
/// once per process), provisioned with every role key, and state directories that use
/// it: each daemon under test gets its own directory (its own audit log) holding a copy
/// of the token's configuration and PIN file.
/// </summary>
internal static class DevelopmentTokenState
{
    private static readonly Lazy<(string State, byte[] TlsPublicKey)> Shared = new(() =>
    {
        string state = Directory.CreateTempSubdirectory("conclave-token-").FullName;
        DevelopmentToken.Initialize(state, "conclave");
        using var token = Token.Open(new TokenOptions(), TokenPin.Read(state, allowDevelopmentFile: true));
        KeyProvisioner.ProvisionMissing(token, KeyRoles.All);
        TokenCertificates.IssueMissing(token, ["localhost"], [System.Net.IPAddress.Loopback]);
        return (state, token.ExportPublicKey(KeyRole.TlsIdentity));
    });

    /// <summary>The SubjectPublicKeyInfo of the shared token's TLS key, read from the token itself.</summary>
    public static byte[] TlsPublicKey => Shared.Value.TlsPublicKey;

    /// <summary>
    /// A state directory with a token of its own: a copy of the shared token's files
    /// (same keys and PIN), for a test that removes the token under a daemon process.
    /// </summary>
    public static string NewStateDirectoryWithOwnTokenCopy()
    {
        string shared = Shared.Value.State;
        string state = Directory.CreateTempSubdirectory("conclave-own-token-").FullName;
        string tokens = Path.Combine(state, "softhsm", "tokens");
        foreach (string file in Directory.GetFiles(Path.Combine(shared, "softhsm", "tokens"), "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(tokens, Path.GetRelativePath(Path.Combine(shared, "softhsm", "tokens"), file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.WriteAllText(DevelopmentToken.ConfigurationPath(state), $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        File.Copy(Path.Combine(shared, DevelopmentToken.PinFileName), Path.Combine(state, DevelopmentToken.PinFileName));
        return state;
    }

    /// <summary>A fresh state directory whose SoftHSM2 configuration and PIN lead to the shared token.</summary>
    public static string NewStateDirectory(string? pin = null)
    {
        string shared = Shared.Value.State;
        string state = Directory.CreateTempSubdirectory("conclave-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "softhsm"));
        File.Copy(DevelopmentToken.ConfigurationPath(shared), DevelopmentToken.ConfigurationPath(state));
        string pinFile = Path.Combine(state, DevelopmentToken.PinFileName);
        File.Copy(Path.Combine(shared, DevelopmentToken.PinFileName), pinFile);
        if (pin is not null) File.WriteAllText(pinFile, pin);
        return state;
    }
}
