using System.CommandLine;
using Conclave.Crypto.Audit;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Meetings.Audit;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>conclavectl audit: verify the hash chain and its signed checkpoints, or list records.</summary>
internal static class AuditCommands
{
    private static readonly Option<string?> File = new("--file") { Description = "The audit log (default: <state-dir>/audit.log)" };

    public static Command Create()
    {
        var audit = new Command("audit", "The tamper-evident audit log");
        audit.Options.Add(File);

        var verify = new Command("verify", "Check every record's hash and link and every checkpoint's signature; report the first break");
        verify.SetAction(Verify);
        audit.Subcommands.Add(verify);

        var actor = new Option<string?>("--actor") { Description = "Only records by this actor" };
        var action = new Option<string?>("--action") { Description = "Only records of this action (one of the names the log uses)" };
        action.CompletionSources.Add([.. ActionNames()]);
        action.Validators.Add(option =>
        {
            if (option.GetValueOrDefault<string?>() is { } name && !IsActionName(name))
            {
                option.AddError($"no action is named '{AuditText.Untrusted(name)}'; the log's actions: {string.Join(", ", ActionNames())}");
            }
        });
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only records at or after this time (ISO 8601)" };
        var last = new Option<int>("--last") { Description = $"The last N records that match, read from the end of the log (default {DefaultLast})", DefaultValueFactory = _ => DefaultLast };
        last.Validators.Add(option =>
        {
            if (option.GetValueOrDefault<int>() < 1) option.AddError("--last must be at least 1");
        });
        var all = new Option<bool>("--all") { Description = "Every record that matches, from the start of the log (slow on a large log)" };
        var show = new Command("show", $"List records, the last {DefaultLast} unless told otherwise, optionally filtered");
        show.Options.Add(actor);
        show.Options.Add(action);
        show.Options.Add(since);
        show.Options.Add(last);
        show.Options.Add(all);
        show.SetAction(result => Show(result, result.GetValue(actor), result.GetValue(action), result.GetValue(since), result.GetValue(all) ? null : result.GetValue(last)));
        audit.Subcommands.Add(show);
        return audit;
    }

    private const int DefaultLast = 50;

    /// <summary>The domain's actions and the log's own: its checkpoints and its count of records lost to a full disk.</summary>
    private static IEnumerable<string> ActionNames() => AuditAction.All.Select(a => a.Name).Append(AuditRecord.CheckpointAction).Append(AuditRecord.LostAction);

    private static bool IsActionName(string name) =>
        AuditAction.Find(name) is not null || name.Equals(AuditRecord.CheckpointAction, StringComparison.OrdinalIgnoreCase)
        || name.Equals(AuditRecord.LostAction, StringComparison.OrdinalIgnoreCase);

    private static string LogPath(ParseResult result) =>
        result.GetValue(File) ?? Path.Combine(Path.GetFullPath(result.GetValue(CliOptions.StateDirectory)!), "audit.log");

    private static int Verify(ParseResult result)
    {
        string state = Path.GetFullPath(result.GetValue(CliOptions.StateDirectory)!);
        bool development = result.GetValue(CliOptions.Development);
        try
        {
            if (development) DevelopmentToken.UseConfiguration(state);
            var options = new TokenOptions { ModulePath = result.GetValue(CliOptions.Module)!, TokenLabel = result.GetValue(CliOptions.Label)! };
            IReadOnlyList<byte[]> publicKeys;
            AuditAnchor? anchor;
            using (var token = Keys.Token.Open(options, TokenPin.Read(state, development)))
            {
                // The current audit key and those retired by rotation (their labels extend the current one).
                publicKeys = token.ExportPublicKeys(options.LabelOf(KeyRole.AuditSigning));
                anchor = AuditAnchor.FromBytes(token.ReadData(AuditLog.AnchorLabel));
            }
            var verdict = AuditVerifier.Verify(LogPath(result), publicKeys, anchor);
            if (verdict.Intact) AnsiConsole.MarkupLineInterpolated($"[green]{verdict.Message}[/]");
            else AnsiConsole.MarkupLineInterpolated($"[red]broken: {verdict.Message}[/]");
            return verdict.Intact ? 0 : 1;
        }
        catch (TokenException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {e.Message}[/]");
            return 1;
        }
    }

    /// <param name="last">The last N matching records, read from the end of the file; null for every one, read from the start.</param>
    private static int Show(ParseResult result, string? actor, string? action, DateTimeOffset? since, int? last)
    {
        string path = LogPath(result);
        if (!System.IO.File.Exists(path))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {path} does not exist[/]");
            return 1;
        }
        var table = new Table().AddColumns("#", "time (UTC)", "actor", "action", "object", "outcome");
        try
        {
            var records = last is { } count ? AuditReader.ReadLast(path, count, actor, action, since).Records : AuditReader.Read(path, actor, action, since);
            foreach (var record in records)
            {
                table.AddRow(record.Sequence.ToString(System.Globalization.CultureInfo.InvariantCulture), record.Time.UtcDateTime.ToString("u", System.Globalization.CultureInfo.InvariantCulture),
                    Shown(record.Actor), Shown(record.Action), Shown(record.Object), Shown(record.Outcome));
            }
        }
        catch (InvalidDataException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {e.Message}; run conclavectl audit verify[/]");
            return 1;
        }
        AnsiConsole.Write(table);
        return 0;
    }

    /// <summary>
    /// A field as the terminal may show it: no control character of a record (an older log's,
    /// or one edited by hand) reaches the terminal, nor Spectre's markup brackets.
    /// </summary>
    private static string Shown(string field) => Markup.Escape(AuditText.Printable(field));
}
