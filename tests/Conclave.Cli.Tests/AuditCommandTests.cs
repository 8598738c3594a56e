using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Cli.Tests;

/// <summary>conclavectl audit verify and show on a log signed by the development token's audit key.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _state = Conclave.Testing.DevelopmentTokenState.NewStateDirectory();

    private sealed class Signer(Token token) : IAuditSigner
    {
        public byte[] SignDer(ReadOnlySpan<byte> data) => token.SignDer(KeyRole.AuditSigning, data);
    }

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, ["--dev", .. arguments]);

    [Fact]
    public void Verify_reports_an_intact_log_and_the_first_broken_line_of_an_edited_one_and_show_filters()
    {
        string path = Path.Combine(_state, "audit.log");
        DevelopmentToken.UseConfiguration(_state);
        using (var token = Token.Open(new TokenOptions(), TokenPin.Read(_state, allowDevelopmentFile: true)))
        {
            using var log = AuditLog.Open(path, new Signer(token), checkpointEvery: 4);
            for (int i = 0; i < 10; i++) log.Append(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? "login" : "meeting.create", $"object-{i}", "ok");
        }

        var intact = Run("audit", "verify");
        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("intact", intact.Output);

        var show = Run("audit", "show", "--actor", "alice");
        Assert.Equal(0, show.ExitCode);
        Assert.Contains("object-4", show.Output);
        Assert.DoesNotContain("object-5", show.Output);

        var lines = File.ReadAllLines(path);
        lines[6] = lines[6].Replace("object-", "0bject-", StringComparison.Ordinal);
        File.WriteAllLines(path, lines);
        var broken = Run("audit", "verify");
        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("line 7", broken.Output);
        Assert.Contains("edited", broken.Output);
    }

    [Fact]
    public void After_an_audit_key_rotation_the_whole_log_still_verifies_and_new_checkpoints_use_the_new_key()
    {
        string path = Path.Combine(_state, "audit.log");
        DevelopmentToken.UseConfiguration(_state);
        byte[] before;
        using (var token = Token.Open(new TokenOptions(), TokenPin.Read(_state, allowDevelopmentFile: true)))
        {
            before = token.ExportPublicKey(KeyRole.AuditSigning);
            using var log = AuditLog.Open(path, new Signer(token), checkpointEvery: 3);
            for (int i = 0; i < 5; i++) log.Append("alice", "login", $"before-{i}", "ok");
        }
        var rotated = Run("token", "rotate", "audit");
        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("Rotated AuditSigning", rotated.Output);
        using (var token = Token.Open(new TokenOptions(), TokenPin.Read(_state, allowDevelopmentFile: true)))
        {
            Assert.NotEqual(before, token.ExportPublicKey(KeyRole.AuditSigning));
            using var log = AuditLog.Open(path, new Signer(token), checkpointEvery: 3);
            for (int i = 0; i < 5; i++) log.Append("alice", "login", $"after-{i}", "ok");
        }
        var verdict = Run("audit", "verify");
        Assert.Equal(0, verdict.ExitCode);
        Assert.Contains("intact", verdict.Output);
        Assert.False(AuditVerifier.Verify(path, before).Intact, "checkpoints after the rotation are signed by the new key, not the old");
    }

    [Fact]
    public void A_log_cut_back_to_an_earlier_checkpoint_is_caught_by_the_anchor_on_the_token()
    {
        string path = Path.Combine(_state, "audit.log");
        DevelopmentToken.UseConfiguration(_state);
        using (var token = Token.Open(new TokenOptions(), TokenPin.Read(_state, allowDevelopmentFile: true)))
        {
            using var log = AuditLog.Open(path, new Signer(token), checkpointEvery: 3,
                onCheckpoint: anchor => token.WriteData(AuditLog.AnchorLabel, anchor.ToBytes()));
            for (int i = 0; i < 10; i++) log.Append("carol", "file.open", $"scan-{i}", "ok");
        }
        Assert.Equal(0, Run("audit", "verify").ExitCode);

        // Cut right after the first checkpoint (line 4): a valid-looking, signed, shorter log.
        File.WriteAllLines(path, File.ReadAllLines(path).Take(4));
        var verdict = Run("audit", "verify");
        Assert.Equal(1, verdict.ExitCode);
        Assert.Contains("the last one on record: truncated", verdict.Output);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
