using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;
using Conclave.Meetings.Accounts;
using Conclave.Storage;
using Conclave.Testing;

namespace Conclave.Cli.Tests;

/// <summary>conclavectl token rotate storage: interrupted (by --limit), resumed, and every object — files and the database's sealed TOTP seeds — still readable.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class StorageRotationTests : IDisposable
{
    private readonly string _state = DevelopmentTokenState.NewStateDirectory();

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, ["--dev", .. arguments]);

    [Fact]
    public void An_interrupted_rotation_resumes_and_leaves_every_object_readable_under_the_new_key_only()
    {
        string store = Path.Combine(_state, "sealed");
        Directory.CreateDirectory(store);
        var contents = Enumerable.Range(0, 10).Select(i => RandomNumberGenerator.GetBytes(1000 * i)).ToList();
        byte[] totpSeed = RandomNumberGenerator.GetBytes(20);
        long accountId;
        using (var token = DevelopmentTokenState.OpenAt(_state))
        {
            for (int i = 0; i < contents.Count; i++) File.WriteAllBytes(Path.Combine(store, $"object-{i:D2}"), SealedEnvelope.Seal(contents[i], new TokenKeyWrapper(token)));
            accountId = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName)).Accounts.Create(new Account(0, "ada", "Ada", Role.Admin, false, "$argon2id$unused",
                SealedEnvelope.Seal(totpSeed, new TokenKeyWrapper(token)), null, 0, 0, null, null, DateTimeOffset.UtcNow)).Id;
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();

        var first = Run("token", "rotate", "storage", "--limit", "3");
        Assert.True(first.ExitCode == 0, first.Output);
        Assert.Contains("8 remain", first.Output);
        Assert.True(File.Exists(Path.Combine(_state, "rotation-storage.json")), "the journal records the rotation in progress");

        var second = Run("token", "rotate", "storage");
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.Contains("Resuming", second.Output);
        Assert.Contains("Rotated: 11 objects", second.Output);
        Assert.False(File.Exists(Path.Combine(_state, "rotation-storage.json")));

        using (var token = DevelopmentTokenState.OpenAt(_state))
        {
            string retired = second.Output.Split("kept as ")[1].Split(' ')[0];
            for (int i = 0; i < contents.Count; i++)
            {
                var sealedBytes = File.ReadAllBytes(Path.Combine(store, $"object-{i:D2}"));
                Assert.Equal(contents[i], SealedEnvelope.Open(sealedBytes, new TokenKeyWrapper(token), $"object-{i}"));
                Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(sealedBytes, new TokenKeyWrapper(token, retired), $"object-{i}"));
            }
            var sealedSeed = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName)).Accounts.Find(accountId)!.SealedTotpSecret!;
            Assert.Equal(totpSeed, SealedEnvelope.Open(sealedSeed, new TokenKeyWrapper(token), "TOTP seed"));
            Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(sealedSeed, new TokenKeyWrapper(token, retired), "TOTP seed"));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
