using System.CommandLine;
using System.Globalization;
using Conclave.Keys.Roles;
using Conclave.Meetings.Audit;
using Conclave.Recording.Recorder;
using Spectre.Console;

namespace Conclave.Cli.Commands;

/// <summary>
/// conclavectl recordings: list what the appliance keeps, take a recording off it as a bundle
/// (still end-to-end encrypted), and export a bundle to WebM with the compliance token
/// (docs/recording.md). Export never runs in conclaved.
/// </summary>
internal static partial class RecordingsCommands
{
    private static readonly Argument<string> Id = new("id") { Description = "The recording's id (32 hex digits; conclavectl recordings list)" };

    private static readonly Option<string> Out = new("--out") { Description = "A new (or empty) directory to write into", Required = true };

    public static Command Create()
    {
        var recordings = new Command("recordings", "Compliance recordings: list, bundle, export");

        var list = new Command("list", "Every recording the appliance indexes (metadata only)");
        list.SetAction(result => CommandContext.Run(result, List));
        recordings.Subcommands.Add(list);

        var bundle = new Command("bundle", "Copy a recording out of the appliance without its storage encryption; its media stays end-to-end encrypted (conclaved stopped; audited). The console's Recordings page does the same while it runs");
        bundle.Arguments.Add(Id);
        bundle.Options.Add(Out);
        bundle.SetAction(result => CommandContext.Run(result, context => Bundle(context, result.GetValue(Id)!, result.GetValue(Out)!)));
        recordings.Subcommands.Add(bundle);

        recordings.Subcommands.Add(ExportCommand());
        return recordings;
    }

    private static int List(CommandContext context)
    {
        var table = new Table().AddColumns("id", "meeting", "started (UTC)", "stopped", "bytes", "retained until", "legal hold");
        foreach (var r in context.OpenDatabase().Recordings.List())
        {
            table.AddRow(r.Id, Markup.Escape($"{r.MeetingTitle} ({r.MeetingId})"), Time(r.StartedAt),
                r.StoppedAt is { } stopped ? $"{Time(stopped)} ({r.EndedBy})" : "[red]recording[/]",
                r.Bytes.ToString("N0", CultureInfo.InvariantCulture),
                r.ShreddedAt is { } shredded ? $"shredded {Time(shredded)}" : Time(r.RetainUntil), r.LegalHold ? "yes" : "no");
        }
        AnsiConsole.Write(table);
        return 0;
    }

    private static int Bundle(CommandContext context, string recordingId, string destination)
    {
        using var stateLock = context.LockState();
        var recording = context.OpenDatabase().Recordings.Find(recordingId)
            ?? throw new InvalidDataException($"no recording {recordingId} in the index (conclavectl recordings list)");
        using var token = context.OpenToken();
        var options = new RecorderOptions { RecordingsDirectory = Path.Combine(context.StateDirectory, "sealed", "recordings") };
        string output = Path.GetFullPath(destination);
        RecordingBundle.Write(options, recording.Id, new TokenKekWrapper(token, null), token.ExportPublicKey(KeyRole.CredentialCa), output);
        using var audit = OperatorAudit.Open(context, token);
        audit.Record(AuditActor.Operator(Environment.UserName), AuditAction.RecordingBundle, AuditObject.Recording(recording),
            AuditOutcome.OkWith($"bundled into {output}"));
        AnsiConsole.MarkupLineInterpolated($"Bundled recording [bold]{recording.Id}[/] ({recording.MeetingTitle}) into {output}: still end-to-end encrypted; export it with the compliance token.");
        return 0;
    }

    private static string Time(DateTimeOffset time) => time.UtcDateTime.ToString("yyyy-MM-dd HH:mm", CultureInfo.InvariantCulture);
}
