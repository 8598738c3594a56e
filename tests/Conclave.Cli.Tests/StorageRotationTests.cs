using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;
using Conclave.Keys;
using Conclave.Meetings.Accounts;
using Conclave.Storage;

namespace Conclave.Cli.Tests;

/// <summary>conclavectl token rotate storage: interrupted (by --limit), resumed, and every object — files and the database's sealed TOTP seeds — still readable.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class StorageRotationTests : IDisposable
{
    private readonly string _state = Conclave.Testing.DevelopmentTokenState.NewStateDirectory();

    private sealed class Wrapper(Keys.Token token, string? label = null) : IDataKeyWrapper
    {
        public byte[] Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey, label);

        public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey, label);
    }

    private (int ExitCode, string Output) Run(params string[] arguments) => Conclavectl.Run(_state, ["--dev", .. arguments]);

    [Fact]
    public void An_interrupted_rotation_resumes_and_leaves_every_object_readable_under_the_new_key_only()
    {
        string store = Path.Combine(_state, "sealed");
        Directory.CreateDirectory(store);
        var contents = Enumerable.Range(0, 10).Select(i => RandomNumberGenerator.GetBytes(1000 * i)).ToList();
        DevelopmentToken.UseConfiguration(_state);
        byte[] totpSeed = RandomNumberGenerator.GetBytes(20);
        long accountId;
        using (var token = Keys.Token.Open(new TokenOptions(), TokenPin.Read(_state, allowDevelopmentFile: true)))
        {
            for (int i = 0; i < contents.Count; i++) File.WriteAllBytes(Path.Combine(store, $"object-{i:D2}"), SealedEnvelope.Seal(contents[i], new Wrapper(token)));
            accountId = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName)).Accounts.Create(new Account(0, "ada", "Ada", Role.Admin, false, "$argon2id$unused",
                SealedEnvelope.Seal(totpSeed, new Wrapper(token)), null, 0, 0, null, null, DateTimeOffset.UtcNow)).Id;
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

        using (var token = Keys.Token.Open(new TokenOptions(), TokenPin.Read(_state, allowDevelopmentFile: true)))
        {
            string retired = second.Output.Split("kept as ")[1].Split(' ')[0];
            for (int i = 0; i < contents.Count; i++)
            {
                var sealedBytes = File.ReadAllBytes(Path.Combine(store, $"object-{i:D2}"));
                Assert.Equal(contents[i], SealedEnvelope.Open(sealedBytes, new Wrapper(token), $"object-{i}"));
                Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(sealedBytes, new Wrapper(token, retired), $"object-{i}"));
            }
            var sealedSeed = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName)).Accounts.Find(accountId)!.SealedTotpSecret!;
            Assert.Equal(totpSeed, SealedEnvelope.Open(sealedSeed, new Wrapper(token), "TOTP seed"));
            Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(sealedSeed, new Wrapper(token, retired), "TOTP seed"));
        }
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    public void Dispose() => Directory.Delete(_state, recursive: true);
}
