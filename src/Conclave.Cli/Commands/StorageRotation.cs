using System.Text.Json;
using Conclave.Crypto.Envelopes;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Meetings.Accounts;
using Conclave.Storage;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>
/// Rotates the storage KEK: a new KEK on the token, every sealed object's data key
/// re-wrapped under it (content untouched) — the files of the sealed store and the
/// secrets sealed into the appliance database (TOTP seeds) — then the new KEK takes the
/// configured label and the old one is retired. A journal in the state directory makes
/// an interrupted rotation resumable: running the command again continues it.
/// Run it with conclaved stopped.
/// </summary>
internal static class StorageRotation
{
    private sealed record Journal(string NewLabel, string RetiredLabel);

    /// <summary>One sealed object, wherever it is kept.</summary>
    private sealed record SealedObject(string Name, Func<IDataKeyWrapper, bool> IsWrappedBy, Action<IDataKeyWrapper, IDataKeyWrapper> Rewrap);

    private static IEnumerable<SealedObject> Files(string store)
    {
        var paths = Directory.Exists(store) ? Directory.GetFiles(store, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal) : Enumerable.Empty<string>();
        foreach (string path in paths)
        {
            string name = Path.GetRelativePath(store, path);
            yield return new SealedObject(name,
                wrapper =>
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.Read);
                    return SealedEnvelope.IsWrappedBy(file, wrapper, name);
                },
                (from, to) =>
                {
                    using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
                    SealedEnvelope.Rewrap(file, from, to, name);
                });
        }
    }

    /// <summary>The TOTP seeds (enrolled and pending) sealed into each account's row.</summary>
    private static IEnumerable<SealedObject> DatabaseSecrets(string stateDirectory)
    {
        string path = Path.Combine(stateDirectory, ApplianceDatabase.FileName);
        if (!File.Exists(path)) yield break;
        var accounts = ApplianceDatabase.Open(path).Accounts;
        foreach (var listed in accounts.List())
        {
            foreach (bool pending in new[] { false, true })
            {
                byte[]? Read(Account a) => pending ? a.SealedPendingTotpSecret : a.SealedTotpSecret;
                if (Read(listed) is null) continue;
                string name = $"{(pending ? "pending " : "")}TOTP seed of user:{listed.UserName}";
                yield return new SealedObject(name,
                    wrapper => SealedEnvelope.IsWrappedBy(new MemoryStream(Read(accounts.Find(listed.Id)!)!), wrapper, name),
                    (from, to) =>
                    {
                        var account = accounts.Find(listed.Id)!;
                        using var buffer = new MemoryStream();
                        buffer.Write(Read(account));
                        buffer.Position = 0;
                        SealedEnvelope.Rewrap(buffer, from, to, name);
                        accounts.Update(pending ? account with { SealedPendingTotpSecret = buffer.ToArray() } : account with { SealedTotpSecret = buffer.ToArray() });
                    });
            }
        }
    }

    public static int Run(Keys.Token token, string stateDirectory, string store, int? limit)
    {
        string journalPath = Path.Combine(stateDirectory, "rotation-storage.json");
        string configured = token.Options.LabelOf(KeyRole.StorageKek);
        Journal journal;
        if (File.Exists(journalPath))
        {
            journal = JsonSerializer.Deserialize<Journal>(File.ReadAllText(journalPath)) ?? throw new TokenException($"{journalPath} is unreadable");
            AnsiConsole.MarkupLineInterpolated($"Resuming the rotation to [bold]{journal.NewLabel}[/].");
        }
        else
        {
            string stamp = DateTime.UtcNow.ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture);
            journal = new Journal($"{configured}-{stamp}", $"{configured}-retired-{stamp}");
            KeyProvisioner.CreateStorageKek(token, journal.NewLabel);
            File.WriteAllText(journalPath, JsonSerializer.Serialize(journal));
        }

        var oldKek = new TokenKekWrapper(token, configured);
        var newKek = new TokenKekWrapper(token, journal.NewLabel);
        var objects = Files(store).Concat(DatabaseSecrets(stateDirectory)).ToList();
        int rewrapped = 0, already = 0;
        AnsiConsole.Progress().Start(progress =>
        {
            var task = progress.AddTask("re-wrapping data keys", maxValue: Math.Max(1, objects.Count));
            foreach (var sealedObject in objects)
            {
                if (limit is int most && rewrapped >= most) break;
                if (sealedObject.IsWrappedBy(newKek)) already++;
                else
                {
                    sealedObject.Rewrap(oldKek, newKek);
                    rewrapped++;
                }
                task.Increment(1);
            }
        });
        if (rewrapped + already < objects.Count)
        {
            AnsiConsole.MarkupLineInterpolated($"Re-wrapped {rewrapped} objects; {objects.Count - rewrapped - already} remain. Run the command again to continue.");
            return 0;
        }
        token.RelabelKey(configured, journal.RetiredLabel);
        token.RelabelKey(journal.NewLabel, configured);
        File.Delete(journalPath);
        AnsiConsole.MarkupLineInterpolated($"Rotated: {objects.Count} objects now use the new storage KEK ([bold]{configured}[/]); the old one is kept as {journal.RetiredLabel} until you destroy it.");
        return 0;
    }
}
