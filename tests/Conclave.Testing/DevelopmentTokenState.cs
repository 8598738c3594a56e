using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Testing;

/// <summary>
/// The one development token of a test process (the PKCS#11 module reads its configuration
/// once per process), provisioned with every role key and its certificates, and the ways
/// to use it: opened in this process, or through state directories that lead to it — each
/// daemon under test gets its own directory (its own audit log) holding a copy of the
/// token's configuration and PIN file.
/// </summary>
public static class DevelopmentTokenState
{
    private static readonly Lazy<(string State, string TokenFiles, byte[] TlsPublicKey)> Shared = new(() =>
    {
        string state = Directory.CreateTempSubdirectory("conclave-token-").FullName;
        DevelopmentToken.Initialize(state, new TokenOptions().TokenLabel);
        // The token's own files: tests add other tokens beside it.
        string tokenFiles = Directory.GetDirectories(Path.Combine(state, "softhsm", "tokens")).Single();
        using var token = OpenAt(state);
        KeyProvisioner.ProvisionMissing(token, KeyRoles.Appliance);
        TokenCertificates.IssueMissing(token, ["localhost"], [System.Net.IPAddress.Loopback]);
        return (state, tokenFiles, token.ExportPublicKey(KeyRole.TlsIdentity));
    });

    private static readonly Lazy<Token> Opened = new(() => OpenAt(StateDirectory));

    /// <summary>The state directory the shared token was made in: its token files are under <c>softhsm/tokens</c>.</summary>
    public static string StateDirectory => Shared.Value.State;

    /// <summary>The SubjectPublicKeyInfo of the shared token's TLS key, read from the token itself.</summary>
    public static byte[] TlsPublicKey => Shared.Value.TlsPublicKey;

    /// <summary>
    /// The shared token, opened on first use and held for the rest of the process, for tests
    /// that use its keys directly. A process opens a token once, so not where this process
    /// also runs a conclaved on it.
    /// </summary>
    public static Token Token => Opened.Value;

    /// <summary>
    /// Opens the token that <paramref name="stateDirectory"/> leads to, as conclaved would:
    /// its SoftHSM2 configuration, then the PIN from its file (read again should the token
    /// need a new login).
    /// </summary>
    /// <param name="label">A token of the state directory's own (<see cref="NewStateDirectoryWithOwnToken"/>); null for the shared one.</param>
    public static Token OpenAt(string stateDirectory, string? label = null)
    {
        DevelopmentToken.UseConfiguration(stateDirectory);
        var options = label is null ? new TokenOptions() : new TokenOptions { TokenLabel = label };
        return Token.Open(options, () => TokenPin.Read(stateDirectory, allowDevelopmentFile: true));
    }

    /// <summary>
    /// A state directory with a new token of its own, provisioned with every role key, made
    /// beside the shared one, so that both this process and a conclavectl it runs (with
    /// <c>--token</c> and the label) reach it: for a test that changes what a token keeps,
    /// such as the audit anchor, which would otherwise hold every other test's log to its own.
    /// </summary>
    public static (string StateDirectory, string TokenLabel) NewStateDirectoryWithOwnToken()
    {
        string state = NewStateDirectory();
        string label = $"conclave-{Guid.NewGuid():N}"[..17];
        // Writes the new token's PINs over the copies of the shared token's.
        DevelopmentToken.Initialize(state, label);
        using (var token = OpenAt(state, label))
        {
            KeyProvisioner.ProvisionMissing(token, KeyRoles.Appliance);
        }
        return (state, label);
    }

    /// <summary>
    /// Puts on <paramref name="appliance"/> the escrow key pair that <c>token provision</c> made
    /// there before compliance keys had a token of their own (label <c>conclave-compliance-escrow</c>,
    /// P-256 ECDH): what conclaved must refuse and <c>token remove-escrow-key</c> removes.
    /// </summary>
    public static void AddPreSeparationEscrowKey(Token appliance) =>
        appliance.Session.Run(session => KeyProvisioner.GenerateEcKeyPair(session, "conclave-compliance-escrow", signing: false));

    /// <summary>
    /// A state directory with a token of its own: a copy of the shared token's files
    /// (same keys and PIN; not the other tokens tests made beside it), for a test that
    /// removes the token under a daemon process.
    /// </summary>
    public static string NewStateDirectoryWithOwnTokenCopy()
    {
        string shared = Shared.Value.TokenFiles;
        string state = Directory.CreateTempSubdirectory("conclave-own-token-").FullName;
        string tokens = Path.Combine(state, "softhsm", "tokens");
        foreach (string file in Directory.GetFiles(shared, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(tokens, Path.GetFileName(shared), Path.GetRelativePath(shared, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
        File.WriteAllText(DevelopmentToken.ConfigurationPath(state), $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        File.Copy(Path.Combine(StateDirectory, DevelopmentToken.PinFileName), Path.Combine(state, DevelopmentToken.PinFileName));
        return state;
    }

    /// <summary>A fresh state directory whose SoftHSM2 configuration and PIN lead to the shared token.</summary>
    public static string NewStateDirectory(string? pin = null)
    {
        string shared = StateDirectory;
        string state = Directory.CreateTempSubdirectory("conclave-state-").FullName;
        Directory.CreateDirectory(Path.Combine(state, "softhsm"));
        File.Copy(DevelopmentToken.ConfigurationPath(shared), DevelopmentToken.ConfigurationPath(state));
        string pinFile = Path.Combine(state, DevelopmentToken.PinFileName);
        File.Copy(Path.Combine(shared, DevelopmentToken.PinFileName), pinFile);
        if (pin is not null) File.WriteAllText(pinFile, pin);
        return state;
    }
}
