using Conclave.Crypto.Audit;
using Conclave.Meetings;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Settings;
using Conclave.Web.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>The audit log view, token status and settings.</summary>
internal static class AdminPages
{
    /// <summary>The newest records shown at once; filters narrow it further.</summary>
    private const int MaxAuditRows = 500;

    public static void Map(IEndpointRouteBuilder console)
    {
        console.MapGet("/audit", (ConsoleRequest request, ConsoleOptions options, AuditLog log, string? actor, string? action) =>
            Audit(request, options.AuditLogPath, log.Status, Filter(actor), Filter(action)))
            .RequireConsoleRole(Role.Admin | Role.SecurityOfficer | Role.ComplianceOfficer);

        var tokenPage = console.MapGroup("/token").RequireConsoleRole(Role.Admin | Role.SecurityOfficer);
        tokenPage.MapGet("/", (ConsoleRequest request, ITokenStatusSource source) => Token(request, source.Read()));
        tokenPage.MapGet("/credential-ca.pem", (ITokenStatusSource source) =>
            source.CredentialCaPem() is { } pem
                ? Results.File(System.Text.Encoding.ASCII.GetBytes(pem), "application/x-pem-file", "conclave-credential-ca.pem")
                : ConsoleLayout.Message(StatusCodes.Status503ServiceUnavailable, "Token unreachable", "The token cannot give its CA certificate right now."));

        var settingsPage = console.MapGroup("/settings").RequireConsoleRole(Role.Admin);
        settingsPage.MapGet("/", (ConsoleRequest request, SettingsService settings) => Settings(request, settings.Current, null));
        settingsPage.MapPost("/", (ConsoleRequest request, SettingsService settings) =>
        {
            var form = request.Form;
            try
            {
                var requested = new ApplianceSettings(form.ContainsKey("lobby_for_members"),
                    Number(form["invitation_hours"], "Invitation lifetime"), Number(form["session_idle_minutes"], "Session idle time"),
                    Number(form["shared_files_kept_hours"], "Shared files kept after a meeting"));
                settings.Change(request.Account, requested);
                return Results.Redirect("/console/settings");
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                return Settings(request, settings.Current, e.Message, StatusCodes.Status400BadRequest);
            }
        });
    }

    private static int Number(string? text, string what) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int value)
            ? value : throw DomainException.Invalid($"{what} must be a whole number.");

    /// <summary>The newest records, read from the end of the log (a flood of old records costs nothing here), and whether the log is writing.</summary>
    private static IResult Audit(ConsoleRequest request, string path, AuditLogStatus status, string? actor, string? action)
    {
        Html table;
        try
        {
            var records = File.Exists(path) ? AuditReader.ReadLast(path, MaxAuditRows, actor, action, eventsOnly: true).Records.Reverse() : [];
            table = Html.Of($"""
                <table aria-label="Audit records">
                  <thead><tr><th scope="col">#</th><th scope="col">Time (UTC)</th><th scope="col">Actor</th><th scope="col">Action</th><th scope="col">Object</th><th scope="col">Outcome</th></tr></thead>
                  <tbody>{records.Select(r => Html.Of($"<tr><td>{r.Sequence}</td><td>{r.Time:yyyy-MM-dd HH:mm:ss}</td><td>{AuditText.Printable(r.Actor)}</td><td>{AuditText.Printable(r.Action)}</td><td>{AuditText.Printable(r.Object)}</td><td>{AuditText.Printable(r.Outcome)}</td></tr>"))}</tbody>
                </table>
                <p class="help">Newest first, at most {MaxAuditRows}. <code>conclavectl audit verify</code> checks the chain and its token-signed checkpoints.</p>
                """);
        }
        catch (InvalidDataException e)
        {
            table = ConsoleLayout.ErrorNote($"The audit log cannot be read: {e.Message}. Run conclavectl audit verify.");
        }
        return ConsoleLayout.Page(request, "Audit log", Html.Of($"""
            {ConsoleLayout.ErrorNote(status.Writing ? null : $"Audit log not writing: {status.Problem} (since {status.FailingSince:yyyy-MM-dd HH:mm:ss} UTC; {status.FailedWrites} failed writes, {status.WaitingRecords} records waiting, {status.LostRecords} lost). Logins and admissions go on; the waiting records are written in order once the disk takes them.")}
            <form method="get" action="/console/audit" aria-label="Filter">
              <label for="actor">Actor</label><input id="actor" name="actor" value="{actor}" maxlength="128">
              <label for="action">Action</label><select id="action" name="action"><option value="">any</option>{ActionOptions(action)}</select>
              <button type="submit">Filter</button>
            </form>
            {table}
            """));
    }

    /// <summary>Every declared action, the filtered one selected.</summary>
    private static IEnumerable<Html> ActionOptions(string? selected) => AuditAction.All.Select(a =>
        Html.Of($"<option{Html.When(a.Name.Equals(selected, StringComparison.OrdinalIgnoreCase), Html.Trusted(" selected"))}>{a.Name}</option>"));

    private static string? Filter(string? value) => string.IsNullOrWhiteSpace(value) || value.Length > 128 ? null : value.Trim();

    private static IResult Token(ConsoleRequest request, TokenStatus status)
    {
        var keys = status.Keys.Select(k => Html.Of($"<tr><td>{k.Role}</td><td>{k.Label}</td><td>{(k.Found ? "yes" : "MISSING")}</td><td>{(k.Found ? k.Sensitive ? "yes" : "NO" : "-")}</td><td>{(k.Found ? k.Extractable ? "YES" : "no" : "-")}</td></tr>"));
        var certificates = status.Certificates.Select(c => Html.Of($"<tr><td>{c.Role}</td><td>{c.Subject}</td><td><code>{c.Sha256Fingerprint}</code></td><td>{c.NotAfter:yyyy-MM-dd}</td></tr>"));
        return ConsoleLayout.Page(request, "Token", Html.Of($"""
            <p role="status">Token <strong>{status.Label}</strong> via <code>{status.ModulePath}</code>: {(status.Reachable ? "present and logged in" : $"UNREACHABLE — {status.Problem}. Media goes on; signing, unwrapping and new sessions that need keys fail until it is back.")}</p>
            <table aria-label="Keys"><thead><tr><th scope="col">Role</th><th scope="col">Label</th><th scope="col">Found</th><th scope="col">Sensitive</th><th scope="col">Extractable</th></tr></thead><tbody>{keys}</tbody></table>
            <h2>Certificates</h2>
            <table aria-label="Certificates"><thead><tr><th scope="col">Role</th><th scope="col">Subject</th><th scope="col">SHA-256 fingerprint</th><th scope="col">Expires</th></tr></thead><tbody>{certificates}</tbody></table>
            <p class="help">Browsers warn about the HTTPS certificate until they trust the credential CA above:
            <a href="/console/token/credential-ca.pem" download>download its certificate</a>, compare its SHA-256 fingerprint with the one here (or <code>conclavectl token status</code> on the box), then install it. Keys are provisioned and rotated with <code>conclavectl token</code>.</p>
            """));
    }

    private static IResult Settings(ConsoleRequest request, ApplianceSettings current, string? error, int status = StatusCodes.Status200OK) =>
        ConsoleLayout.Page(request, "Settings", Html.Of($"""
            {ConsoleLayout.ErrorNote(error)}
            <form method="post" action="/console/settings" aria-label="Settings">
              {request.CsrfField}
              <label class="check"><input type="checkbox" id="lobby_for_members" name="lobby_for_members"{Html.When(current.LobbyForMembersByDefault, Html.Trusted(" checked"))}> New meetings make members wait in the lobby</label>
              <label for="invitation_hours">Guest invitations last (hours)</label>
              <input id="invitation_hours" name="invitation_hours" inputmode="numeric" required value="{current.InvitationLifetimeHours}">
              <label for="session_idle_minutes">Console sessions end after idle (minutes)</label>
              <input id="session_idle_minutes" name="session_idle_minutes" inputmode="numeric" required value="{current.SessionIdleMinutes}">
              <label for="shared_files_kept_hours">Shared files kept after a meeting (hours, 0–{ApplianceSettings.MaxSharedFilesKeptHours})</label>
              <input id="shared_files_kept_hours" name="shared_files_kept_hours" inputmode="numeric" required value="{current.SharedFilesKeptHours}">
              <button type="submit">Save settings</button>
            </form>
            <p class="help">Every change is written to the audit log. Addresses, ports and the token are set in /etc/conclave/conclave.json (README).</p>
            """), status);
}
