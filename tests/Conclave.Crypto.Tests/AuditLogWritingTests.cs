using Conclave.Crypto.Audit;
using Conclave.Daemon;
using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Crypto.Tests;

/// <summary>
/// How the audit log writes: one writer, records that arrive together sharing an fsync, a
/// caller's record on disk when its call returns, and a full disk that neither stops the
/// callers nor loses the chain.
/// </summary>
public sealed class AuditLogWritingTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("conclave-audit-writing-").FullName;
    private readonly byte[] _publicKey = DevelopmentTokenState.Token.ExportPublicKey(KeyRole.AuditSigning);

    private string PathOf(string name) => Path.Combine(_directory, name);

    private static TokenAuditSigner Signer => new(DevelopmentTokenState.Token);

    [Fact]
    public void Records_of_sixteen_writers_at_once_are_each_on_disk_when_their_call_returns_and_the_chain_verifies()
    {
        const int Writers = 16, EachWrites = 100;
        string path = PathOf("concurrent.log");
        var log = AuditLog.Open(path, Signer, new AuditLogOptions { CheckpointEvery = 50 });
        var missing = new List<string>();
        var threads = Enumerable.Range(0, Writers).Select(w => new Thread(() =>
        {
            for (int i = 0; i < EachWrites; i++)
            {
                string name = $"w{w}-r{i}";
                log.Append($"user:writer{w}", "login", name, "ok");
                // Read back while the log is open: what Append returned for is in the file already.
                if (i % 25 == 24 && !File.ReadAllText(path).Contains($"\"object\":\"{name}\"", StringComparison.Ordinal))
                {
                    lock (missing) missing.Add(name);
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        var written = AuditReader.Read(path).Where(r => r.Kind == AuditRecord.EventKind).ToList();
        log.Close();

        Assert.Empty(missing);
        Assert.Equal(Writers * EachWrites, written.Count);
        Assert.Equal(Writers * EachWrites, written.Select(r => r.Object).Distinct().Count());
        // Each writer's records keep its order.
        for (int w = 0; w < Writers; w++)
        {
            var own = written.Where(r => r.Actor == $"user:writer{w}").Select(r => r.Object).ToList();
            Assert.Equal(Enumerable.Range(0, EachWrites).Select(i => $"w{w}-r{i}"), own);
        }
        var verdict = AuditVerifier.Verify(path, _publicKey, log.LastCheckpoint);
        Assert.True(verdict.Intact, verdict.Message);
    }

    [Fact]
    public async Task Records_queued_without_waiting_are_written_in_order_and_flush_waits_for_them()
    {
        string path = PathOf("queued.log");
        var log = AuditLog.Open(path, Signer, new AuditLogOptions { CheckpointEvery = 1_000 });
        for (int i = 0; i < 1_000; i++) _ = log.AppendAsync("anonymous@192.0.2.7", "console.access", $"/console/{i}", "refused: not logged in");

        Assert.True(await log.FlushAsync());

        Assert.Equal(Enumerable.Range(0, 1_000).Select(i => $"/console/{i}"), AuditReader.Read(path).Where(r => r.Kind == AuditRecord.EventKind).Select(r => r.Object));
        log.Close();
        Assert.True(AuditVerifier.Verify(path, _publicKey).Intact);
    }

    [Fact]
    public async Task A_full_disk_is_reported_once_does_not_stop_callers_and_the_waiting_records_are_written_in_order_when_space_returns()
    {
        string path = PathOf("full.log");
        FullDiskFile? disk = null;
        var log = AuditLog.Open(path, Signer, new AuditLogOptions
        {
            CheckpointEvery = 4,
            RetryAfterFailure = TimeSpan.FromMilliseconds(20),
            OpenFile = p => disk = new FullDiskFile(p),
        });
        var changes = new List<AuditLogStatus>();
        log.StatusChanged += status => { lock (changes) changes.Add(status); };
        for (int i = 0; i < 3; i++) log.Append("user:ada", "login", $"before-{i}", "ok");

        disk!.Full = true;
        var refused = Enumerable.Range(0, 6).Select(i => log.AppendAsync("user:ada", "admission", $"during-{i}", "ok: enter")).ToList();
        // Callers are told at once, not held until the disk has room.
        Assert.All(await Task.WhenAll(refused).WaitAsync(TimeSpan.FromSeconds(10)), written => Assert.False(written));
        Assert.Throws<IOException>(() => log.Append("user:ada", "logout", "during-sync", "ok"));
        await Until(() => disk.Refused >= 4, "several retries while the disk is full");
        var failing = log.Status;
        Assert.False(failing.Writing);
        Assert.Contains("No space left on device", failing.Problem);
        Assert.True(failing.FailedWrites >= 4);
        Assert.Equal(7, failing.WaitingRecords);

        disk.Full = false;
        await Until(() => log.Status.WaitingRecords == 0, "the waiting records written");
        Assert.True(await log.AppendAsync("user:ada", "login", "after", "ok"));
        log.Close();

        lock (changes)
        {
            Assert.Equal([false, true], changes.Select(c => c.Writing));
        }
        string[] expected = [.. Enumerable.Range(0, 3).Select(i => $"before-{i}"), .. Enumerable.Range(0, 6).Select(i => $"during-{i}"), "during-sync", "after"];
        Assert.Equal(expected, AuditReader.Read(path).Where(r => r.Kind == AuditRecord.EventKind).Select(r => r.Object));
        // The halves of batches the full disk took were cut away before each retry.
        var verdict = AuditVerifier.Verify(path, _publicKey, log.LastCheckpoint);
        Assert.True(verdict.Intact, verdict.Message);
    }

    [Fact]
    public async Task Beyond_the_records_kept_waiting_new_ones_are_counted_and_one_record_says_how_many_were_lost()
    {
        string path = PathOf("lost.log");
        FullDiskFile? disk = null;
        var log = AuditLog.Open(path, Signer, new AuditLogOptions
        {
            MaxWaitingRecords = 4,
            RetryAfterFailure = TimeSpan.FromMilliseconds(20),
            OpenFile = p => disk = new FullDiskFile(p) { Full = true },
        });
        for (int i = 0; i < 10; i++) Assert.False(await log.AppendAsync("anonymous@192.0.2.7", "login", $"try-{i}", "refused: wrong credentials"));
        Assert.Equal(6, log.Status.LostRecords);

        disk!.Full = false;
        await Until(() => log.Status.WaitingRecords == 0, "the waiting records written");
        log.Append("user:ada", "login", "after", "ok");
        log.Close();

        var records = AuditReader.Read(path).Where(r => r.Kind == AuditRecord.EventKind).ToList();
        Assert.Equal(["try-0", "try-1", "try-2", "try-3", "audit log", "after"], records.Select(r => r.Object));
        Assert.Equal(AuditRecord.LostAction, records[4].Action);
        Assert.StartsWith("lost: 6 records", records[4].Outcome);
        Assert.True(AuditVerifier.Verify(path, _publicKey).Intact);
    }

    [Fact]
    public async Task Closing_while_the_disk_is_full_gives_up_the_waiting_records_instead_of_hanging()
    {
        var log = AuditLog.Open(PathOf("closing.log"), Signer, new AuditLogOptions
        {
            RetryAfterFailure = TimeSpan.FromMinutes(10),
            OpenFile = p => new FullDiskFile(p) { Full = true },
        });
        Assert.False(await log.AppendAsync("user:ada", "logout", "console", "ok"));

        var closing = Task.Run(log.Close);

        Assert.Same(closing, await Task.WhenAny(closing, Task.Delay(TimeSpan.FromSeconds(10))));
        Assert.Equal(1, log.Status.LostRecords);
        Assert.Throws<ObjectDisposedException>(() => log.Append("user:ada", "login", "console", "ok"));
    }

    private static async Task Until(Func<bool> condition, string what)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new Xunit.Sdk.XunitException($"timed out waiting for {what}");
            await Task.Delay(10);
        }
    }

    public void Dispose() => Directory.Delete(_directory, recursive: true);
}
