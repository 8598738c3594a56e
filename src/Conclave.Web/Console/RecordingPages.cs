using System.IO.Compression;
using Conclave.Crypto.Escrow;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Recordings;
using Conclave.Web.Ports;
using Conclave.Web.Recording;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>
/// Recordings, for compliance officers and admins: metadata only (the appliance cannot open a
/// recording), the escrow keys members seal to, retention, and legal hold. Export happens in
/// conclavectl with the compliance token (docs/recording.md).
/// </summary>
internal static class RecordingPages
{
    public static void Map(RouteGroupBuilder console)
    {
        console.MapGet("/recordings", (ConsoleRequest request, RecordingService recordings, RecordingOptions options) =>
            List(request, recordings.List(request.Account), options, recordings.Retention))
            .RequireConsoleRole(Role.ComplianceOfficer | Role.Admin);
        console.MapGet("/recordings/{id}/bundle", (ConsoleRequest request, string id, RecordingService recordings, IRecordingBundler bundler) =>
        {
            var recording = recordings.Bundle(request.Account, id);
            return Results.Stream(output => Task.Run(() => WriteZip(bundler, recording.Id, output)), "application/zip",
                $"conclave-recording-{recording.Id}.zip");
        }).RequireConsoleRole(Role.ComplianceOfficer);
        console.MapPost("/recordings/{id}/hold", (ConsoleRequest request, string id, RecordingService recordings) =>
        {
            recordings.SetLegalHold(request.Account, id, request.Form["hold"] == "on");
            return Results.Redirect("/console/recordings");
        }).RequireConsoleRole(Role.ComplianceOfficer);
    }

    private static IResult List(ConsoleRequest request, IReadOnlyList<Meetings.Recordings.Recording> recordings, RecordingOptions options, TimeSpan retention)
    {
        bool mayHold = request.Account.Holds(Role.ComplianceOfficer);
        var rows = recordings.Select(r => Html.Of($"""
            <tr>
              <td><code>{r.Id}</code></td>
              <td>{r.MeetingTitle} <small>({r.MeetingId})</small></td>
              <td>{r.StartedAt:yyyy-MM-dd HH:mm}</td>
              <td>{(r.StoppedAt is { } stopped ? $"{stopped:yyyy-MM-dd HH:mm} ({r.EndedBy})" : "recording")}</td>
              <td>{Size(r.Bytes)}</td>
              <td>{(r.ShreddedAt is { } shredded ? $"shredded {shredded:yyyy-MM-dd}" : $"until {r.RetainUntil:yyyy-MM-dd}")}</td>
              <td>{HoldCell(request, r, mayHold)}</td>
            </tr>
            """));
        var keys = options.EscrowKeys.Select(k => Html.Of($"<li><code>{EscrowKeyId.Display(EscrowKeyId.Of(k))}</code></li>"));
        return ConsoleLayout.Page(request, "Recordings", Html.Of($"""
            <section aria-label="Escrow keys">
              <h2>Compliance escrow keys</h2>
              {(options.EscrowKeys.Count == 0
                ? ConsoleLayout.ErrorNote("No escrow key is registered: meetings cannot be recorded. Run conclavectl compliance register with the compliance token.")
                : Html.Of($"<ul>{keys}</ul><p class=\"help\">Members' browsers seal each epoch's keys to these. Compare them with <code>conclavectl compliance status</code> on the compliance token; meeting pages show the same digits.</p>"))}
            </section>
            <table aria-label="Recordings">
              <thead><tr><th>id</th><th>meeting</th><th>started (UTC)</th><th>stopped</th><th>size</th><th>retention</th><th>legal hold</th></tr></thead>
              <tbody>{rows}</tbody>
            </table>
            <p class="help">Recordings are kept {retention.TotalDays:0} days, then their keys are destroyed and their files deleted, unless a compliance officer holds them. Download a bundle (its media stays end-to-end encrypted), then export it with <code>conclavectl recordings export --bundle DIR --out DIR</code> and the compliance token, on the appliance or an offline review station.</p>
            """));
    }

    /// <summary>The bundle, written to a private temporary directory and streamed as a ZIP, then deleted.</summary>
    private static void WriteZip(IRecordingBundler bundler, string recordingId, Stream output)
    {
        string directory = Path.Combine(Directory.CreateTempSubdirectory("conclave-bundle-").FullName, recordingId);
        try
        {
            bundler.WriteBundle(recordingId, directory);
            ZipFile.CreateFromDirectory(directory, output, CompressionLevel.NoCompression, includeBaseDirectory: false);
        }
        finally
        {
            Directory.Delete(Path.GetDirectoryName(directory)!, recursive: true);
        }
    }

    private static Html HoldCell(ConsoleRequest request, Meetings.Recordings.Recording recording, bool mayHold)
    {
        string state = recording.LegalHold ? "held" : "no";
        if (!mayHold || recording.ShreddedAt is not null) return Html.Of($"{state}");
        return Html.Of($"""
            <form method="post" action="/console/recordings/{recording.Id}/hold">
              {request.CsrfField}
              <input type="hidden" name="hold" value="{(recording.LegalHold ? "off" : "on")}">
              {state} <button type="submit">{(recording.LegalHold ? "Lift hold" : "Hold")}</button>
            </form>
            {Html.When(!recording.IsRecording, Html.Of($"<a href=\"/console/recordings/{recording.Id}/bundle\" download>Download bundle</a>"))}
            """);
    }

    private static string Size(long bytes) => bytes switch
    {
        >= 1L << 30 => $"{bytes / (double)(1L << 30):0.0} GiB",
        >= 1L << 20 => $"{bytes / (double)(1L << 20):0.0} MiB",
        _ => $"{bytes / 1024.0:0} KiB",
    };
}
