using System.CommandLine;
using System.Security.Cryptography;
using Conclave.Crypto.Hpke;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;
using Spectre.Console;

namespace Conclave.Cli.Commands;

internal static partial class RecordingsCommands
{
    private static readonly Option<string> BundleDirectory = new("--bundle")
    {
        Description = "The recording bundle (conclavectl recordings bundle, or the console's Recordings page)",
        Required = true,
    };

    private static Command ExportCommand()
    {
        var export = new Command("export", "Open a bundle with the compliance token (its PIN is asked, never an argument) and write one WebM per participant, the chat, and a manifest the token signs");
        export.Options.Add(BundleDirectory);
        export.Options.Add(Out);
        export.Options.Add(ComplianceCommands.Label);
        export.Options.Add(ComplianceCommands.Module);
        export.SetAction(result => ComplianceCommands.Run(result, (context, target) =>
            Export(context, target, Path.GetFullPath(result.GetValue(BundleDirectory)!), Path.GetFullPath(result.GetValue(Out)!))));
        return export;
    }

    private static int Export(CommandContext context, ComplianceCommands.Target target, string bundle, string output)
    {
        // Exported plaintext never sits where conclaved reads (or where a backup of its state goes).
        if (ComplianceCommands.IsWithin(output, context.StateDirectory))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]conclavectl: {output} is inside the state directory {context.StateDirectory}: export somewhere conclaved never reads[/]");
            return 2;
        }
        var (recording, caSpki) = RecordingBundle.Open(bundle);
        using var token = ComplianceCommands.Open(target);
        var escrowKeys = token.EscrowPublicKeys()
            .Select(spki => new DelegatedHpkeRecipient(spki, enc => token.DeriveSharedSecret(spki, enc)))
            .ToList();
        var request = new ExportRequest(recording, escrowKeys, caSpki, output, manifest => token.SignManifest(manifest), token.SigningPublicKey());
        ExportResult result = null!;
        AnsiConsole.Progress().AutoClear(false).Start(progress =>
        {
            var task = progress.AddTask("Exporting");
            result = RecordingExport.Run(request, new Progress<ExportProgress>(p =>
            {
                task.Description = Markup.Escape(p.Stage);
                task.MaxValue = Math.Max(1, p.Total);
                task.Value = p.Done;
            }));
            task.Value = task.MaxValue;
        });
        foreach (string file in result.Files) AnsiConsole.MarkupLineInterpolated($"  {file}");
        foreach (string problem in result.Problems) AnsiConsole.MarkupLineInterpolated($"[yellow]  {problem}[/]");
        AnsiConsole.MarkupLineInterpolated($"Exported recording [bold]{recording.Manifest.RecordingId}[/] to {output}; manifest {result.ManifestPath} signed by the compliance token ({Convert.ToHexString(SHA256.HashData(token.SigningPublicKey()))[..16]}).");
        return result.Problems.Count == 0 ? 0 : 1;
    }
}
