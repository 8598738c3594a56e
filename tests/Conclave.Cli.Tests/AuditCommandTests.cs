using Conclave.Daemon;
using Conclave.Crypto.Audit;
using Conclave.Keys.Roles;
using Conclave.Meetings.Audit;
using Conclave.Testing;

namespace Conclave.Cli.Tests;

/// <summary>conclavectl audit verify and show on a log signed by the development token's audit key.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class AuditCommandTests : IDisposable
{
    private readonly string _state = DevelopmentTokenState.NewStateDirectory();

    private string LogPath => Path.Combine(_state, "audit.log");

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, ["--dev", .. arguments]);

    /// <summary>Appends to the state directory's audit log, signed on the development token as conclaved signs it.</summary>
    private void WriteLog(Action<AuditLog> append, int checkpointEvery = AuditLog.DefaultCheckpointEvery)
    {
        using var token = DevelopmentTokenState.OpenAt(_state);
        using var log = AuditLog.Open(LogPath, new TokenAuditSigner(token), new AuditLogOptions { CheckpointEvery = checkpointEvery });
        append(log);
    }

    /// <summary>Ten records, alice's logins and bob's meetings alternating, a checkpoint every four.</summary>
    private void WriteTenRecords() => WriteLog(log =>
    {
        for (int i = 0; i < 10; i++) log.Append(i % 2 == 0 ? "alice" : "bob", i % 2 == 0 ? AuditAction.Login.Name : AuditAction.MeetingCreate.Name, $"object-{i}", "ok");
    }, checkpointEvery: 4);

    [Fact]
    public void Verify_reports_an_intact_log()
    {
        WriteTenRecords();

        var intact = Run("audit", "verify");

        Assert.Equal(0, intact.ExitCode);
        Assert.Contains("intact", intact.Output);
    }

    [Fact]
    public void Verify_reports_the_first_broken_line_of_an_edited_log()
    {
        WriteTenRecords();
        var lines = File.ReadAllLines(LogPath);
        lines[6] = lines[6].Replace("object-", "0bject-", StringComparison.Ordinal);
        File.WriteAllLines(LogPath, lines);

        var broken = Run("audit", "verify");

        Assert.Equal(1, broken.ExitCode);
        Assert.Contains("line 7", broken.Output);
        Assert.Contains("edited", broken.Output);
    }

    [Fact]
    public void Show_filters_by_actor()
    {
        WriteTenRecords();

        var show = Run("audit", "show", "--actor", "alice");

        Assert.Equal(0, show.ExitCode);
        Assert.Contains("object-4", show.Output);
        Assert.DoesNotContain("object-5", show.Output);
    }

    [Fact]
    public void After_an_audit_key_rotation_the_whole_log_still_verifies_and_new_checkpoints_use_the_new_key()
    {
        byte[] before;
        using (var token = DevelopmentTokenState.OpenAt(_state))
        {
            before = token.ExportPublicKey(KeyRole.AuditSigning);
            using var log = AuditLog.Open(LogPath, new TokenAuditSigner(token), new AuditLogOptions { CheckpointEvery = 3 });
            for (int i = 0; i < 5; i++) log.Append("alice", AuditAction.Login.Name, $"before-{i}", "ok");
        }
        var rotated = Run("token", "rotate", "audit");
        Assert.Equal(0, rotated.ExitCode);
        Assert.Contains("Rotated AuditSigning", rotated.Output);
        using (var token = DevelopmentTokenState.OpenAt(_state))
        {
            Assert.NotEqual(before, token.ExportPublicKey(KeyRole.AuditSigning));
            using var log = AuditLog.Open(LogPath, new TokenAuditSigner(token), new AuditLogOptions { CheckpointEvery = 3 });
            for (int i = 0; i < 5; i++) log.Append("alice", AuditAction.Login.Name, $"after-{i}", "ok");
        }
        var verdict = Run("audit", "verify");
        Assert.Equal(0, verdict.ExitCode);
        Assert.Contains("intact", verdict.Output);
        Assert.False(AuditVerifier.Verify(LogPath, before).Intact, "checkpoints after the rotation are signed by the new key, not the old");
    }

    [Fact]
    public void A_log_cut_back_to_an_earlier_checkpoint_is_caught_by_the_anchor_on_the_token()
    {
        // A token of its own: the anchor kept on it would hold every other test's log to this one.
        var (state, label) = DevelopmentTokenState.NewStateDirectoryWithOwnToken();
        try
        {
            string path = Path.Combine(state, "audit.log");
            using (var token = DevelopmentTokenState.OpenAt(state, label))
            {
                using var log = AuditLog.Open(path, new TokenAuditSigner(token), new AuditLogOptions
                {
                    CheckpointEvery = 3,
                    OnCheckpoint = anchor => token.WriteData(AuditLog.AnchorLabel, anchor.ToBytes()),
                });
                for (int i = 0; i < 10; i++) log.Append("carol", "file.open", $"scan-{i}", "ok");
            }
            Assert.Equal(0, Conclavectl.Run(state, "--dev", "--token", label, "audit", "verify").ExitCode);

            // Cut right after the first checkpoint (line 4): a valid-looking, signed, shorter log.
            File.WriteAllLines(path, File.ReadAllLines(path).Take(4));
            var verdict = Conclavectl.Run(state, "--dev", "--token", label, "audit", "verify");
            Assert.Equal(1, verdict.ExitCode);
            Assert.Contains("the last one on record: truncated", verdict.Output);
        }
        finally
        {
            Directory.Delete(state, recursive: true);
        }
    }

    [Fact]
    public void Show_lists_the_last_fifty_records_unless_asked_for_fewer_or_for_all()
    {
        WriteLog(log =>
        {
            for (int i = 0; i < 60; i++) log.Append("anonymous@192.0.2.7", AuditAction.ConsoleAccess.Name, $"/console/page-{i:D3}", "refused: not logged in");
        });

        var newest = Run("audit", "show");
        var five = Run("audit", "show", "--last", "5", "--action", AuditAction.ConsoleAccess.Name);
        var all = Run("audit", "show", "--all");

        Assert.Equal(0, newest.ExitCode);
        Assert.Contains("page-059", newest.Output);
        Assert.Contains("records 1–60", newest.Output);
        Assert.Contains("page-011", newest.Output);
        Assert.DoesNotContain("page-010", newest.Output);
        Assert.Contains("page-055", five.Output);
        Assert.DoesNotContain("page-054", five.Output);
        Assert.True(five.Output.IndexOf("page-055", StringComparison.Ordinal) < five.Output.IndexOf("page-059", StringComparison.Ordinal), "oldest first, as the log reads");
        Assert.Contains("page-000", all.Output);
        Assert.Contains("page-059", all.Output);
    }

    [Fact]
    public void Show_prints_a_records_control_characters_escaped_and_never_raw()
    {
        // As an older log, or a hand-edited one, may hold them: the writer escapes untrusted text, the reader must not rely on it.
        WriteLog(log => log.Append("user:eve\nforged-line", AuditAction.Login.Name, "\u001b[2J\u001b]0;owned\u0007", "ok\u202e"));

        var show = Run("audit", "show");

        Assert.Equal(0, show.ExitCode);
        Assert.Contains(@"user:eve\x0aforged-line", show.Output);
        Assert.Contains(@"\x1b[2J\x1b]0;owned\x07", show.Output);
        Assert.Contains(@"ok\u202e", show.Output);
        Assert.DoesNotContain(show.Output, c => c is '\u001b' or '\u0007' or '\u202e');
        Assert.DoesNotContain(show.Output.Split('\n'), line => line.TrimStart(' ', '│', '|').StartsWith("forged-line", StringComparison.Ordinal));
    }

    [Fact]
    public void Show_filters_by_the_logs_action_names_only_and_lists_them_for_a_mistyped_one()
    {
        WriteLog(log => log.Append("user:ada", AuditAction.UserReset.Name, "user:bob", "ok"));

        var mistyped = Run("audit", "show", "--action", "user.rest");
        Assert.NotEqual(0, mistyped.ExitCode);
        Assert.Contains("no action is named 'user.rest'", mistyped.Output);
        Assert.Contains(AuditAction.UserReset.Name, mistyped.Output);

        var checkpoints = Run("audit", "show", "--action", AuditRecord.CheckpointAction);
        Assert.Equal(0, checkpoints.ExitCode);
        Assert.Contains("records 1–1", checkpoints.Output);
        Assert.DoesNotContain("user:bob", checkpoints.Output);
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
