using System.Text.Json;
using Conclave.Crypto.Envelopes;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>
/// Rotates the storage KEK: a new KEK on the token, every sealed object's data key
/// re-wrapped under it (content untouched), then the new KEK takes the configured
/// label and the old one is retired. A journal in the state directory makes an
/// interrupted rotation resumable: running the command again continues it.
/// Run it with conclaved stopped.
/// </summary>
internal static class StorageRotation
{
    private sealed record Journal(string NewLabel, string RetiredLabel);

    private sealed class LabelWrapper(Keys.Token token, string? label) : IDataKeyWrapper
    {
        public byte[] Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey, label);

        public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey, label);
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

        var oldKek = new LabelWrapper(token, configured);
        var newKek = new LabelWrapper(token, journal.NewLabel);
        var objects = Directory.Exists(store) ? Directory.GetFiles(store, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList() : [];
        int rewrapped = 0, already = 0;
        AnsiConsole.Progress().Start(progress =>
        {
            var task = progress.AddTask("re-wrapping data keys", maxValue: Math.Max(1, objects.Count));
            foreach (string path in objects)
            {
                if (limit is int most && rewrapped >= most) break;
                using var file = new FileStream(path, FileMode.Open, FileAccess.ReadWrite);
                string name = Path.GetRelativePath(store, path);
                if (SealedEnvelope.IsWrappedBy(file, newKek, name)) already++;
                else
                {
                    SealedEnvelope.Rewrap(file, oldKek, newKek, name);
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
