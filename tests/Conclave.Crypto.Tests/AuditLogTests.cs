using Conclave.Daemon;
using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Crypto.Tests;

/// <summary>The hash-chained, token-signed audit log, and 100 tamperings each found where they happened.</summary>
public sealed class AuditLogTests : IDisposable
{
    private const int Events = 240;
    private readonly string _directory = Directory.CreateTempSubdirectory("conclave-audit-").FullName;
    private readonly string _path;
    private readonly byte[] _publicKey;
    private readonly AuditAnchor _anchor;

    public AuditLogTests()
    {
        var token = DevelopmentTokenState.Token;
        _publicKey = token.ExportPublicKey(KeyRole.AuditSigning);
        _path = Path.Combine(_directory, "audit.log");
        var log = AuditLog.Open(_path, new TokenAuditSigner(token), new AuditLogOptions { CheckpointEvery = 25 });
        for (int i = 0; i < Events / 2; i++) log.Append($"admin{i % 3}", i % 2 == 0 ? "login" : "meeting.create", $"object-{i}", i % 5 == 0 ? "denied" : "ok");
        log.Close();
        // A restart continues the same chain.
        log = AuditLog.Open(_path, new TokenAuditSigner(token), new AuditLogOptions { CheckpointEvery = 25 });
        for (int i = Events / 2; i < Events; i++) log.Append($"admin{i % 3}", "token.sign", $"object-{i}", "ok");
        log.Close();
        _anchor = log.LastCheckpoint!;
    }

    /// <summary>A signer whose token is out, then back.</summary>
    private sealed class FlakySigner(Token token) : IAuditSigner
    {
        public bool Out { get; set; }

        public byte[] SignDer(ReadOnlySpan<byte> data) => Out ? throw new TokenException("token 'conclave' is not present") : token.SignDer(KeyRole.AuditSigning, data);
    }

    [Fact]
    public void Records_are_kept_while_the_token_is_out_and_the_next_checkpoint_signs_them_all()
    {
        string path = Path.Combine(_directory, "flaky.log");
        var signer = new FlakySigner(DevelopmentTokenState.Token) { Out = true };
        var log = AuditLog.Open(path, signer, new AuditLogOptions { CheckpointEvery = 5 });
        for (int i = 0; i < 12; i++) log.Append("user:ada", "login", "console", "ok"); // two checkpoints due, neither signable
        Assert.True(log.CheckpointsDeferred >= 2);
        Assert.Equal(12, File.ReadLines(path).Count());

        signer.Out = false;
        log.Append("user:ada", "logout", "console", "ok");
        log.Close();
        var result = AuditVerifier.Verify(path, _publicKey, log.LastCheckpoint);
        Assert.True(result.Intact, result.Message);
        Assert.Equal(13, AuditReader.Read(path).Count(r => r.Kind == AuditRecord.EventKind));
    }

    [Fact]
    public void An_untouched_log_verifies_with_its_checkpoints_signed_on_the_token()
    {
        var result = AuditVerifier.Verify(_path, _publicKey, _anchor);
        Assert.True(result.Intact, result.Message);
        Assert.True(result.RecordsVerified > Events);
        Assert.Contains(AuditReader.Read(_path), r => r.Kind == AuditRecord.CheckpointKind);
        // Every fifth of the first half's events was denied; half of those were logins (i even).
        Assert.Equal(12, AuditReader.Read(_path, action: "login").Count(r => r.Outcome == "denied"));
        Assert.Equal(Events / 2, AuditReader.Read(_path, action: "token.sign").Count());
    }

    [Fact]
    public void A_hundred_random_tamperings_are_each_detected_at_the_record_they_touched()
    {
        var original = File.ReadAllLines(_path);
        var random = new Random(5246);
        string[] kinds = ["edit", "delete", "swap", "insert", "truncate"];
        for (int trial = 0; trial < 100; trial++)
        {
            var lines = original.ToList();
            string kind = kinds[trial % kinds.Length];
            int k = random.Next(0, lines.Count - 1); // 0-based index of the touched record
            int expectedLine = k + 1;
            switch (kind)
            {
                case "edit":
                    lines[k] = lines[k].Replace("\"outcome\":\"", "\"outcome\":\"x", StringComparison.Ordinal);
                    break;
                case "delete":
                    lines.RemoveAt(k);
                    break;
                case "swap":
                    (lines[k], lines[k + 1]) = (lines[k + 1], lines[k]);
                    break;
                case "insert":
                    lines.Insert(k, original[random.Next(original.Length)]);
                    break;
                case "truncate":
                    lines.RemoveRange(k + 1, lines.Count - k - 1);
                    expectedLine = k + 2; // the end, where the missing records should be
                    break;
            }
            string tampered = Path.Combine(_directory, $"tampered-{trial}.log");
            File.WriteAllLines(tampered, lines);
            var result = AuditVerifier.Verify(tampered, _publicKey, _anchor);
            Assert.False(result.Intact, $"trial {trial}: {kind} at line {k + 1} went unnoticed");
            Assert.True(expectedLine == result.BrokenAtLine, $"trial {trial}: {kind} at line {k + 1} reported at line {result.BrokenAtLine}: {result.Message}");
        }
    }

    [Fact]
    public void A_checkpoint_signed_by_another_key_is_refused()
    {
        using var other = System.Security.Cryptography.ECDsa.Create(System.Security.Cryptography.ECCurve.NamedCurves.nistP256);
        var result = AuditVerifier.Verify(_path, other.ExportSubjectPublicKeyInfo());
        Assert.False(result.Intact);
        Assert.Contains("no valid signature by the audit key", result.Message);
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
