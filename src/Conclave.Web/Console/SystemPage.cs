using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Web.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>
/// The appliance's operating system for admins (docs/system-page.md): host name, clock and time
/// sources, the state of conclaved and its neighbouring services, reboot and power off. Everything
/// goes through <see cref="IApplianceSystem"/>; whatever it cannot do is a sentence on the page.
/// </summary>
internal static class SystemPage
{
    public const string Path = "/console/system";

    /// <summary>The form fields: the new static host name, and the box that confirms a reboot or power-off.</summary>
    public const string HostnameField = "static_hostname", ConfirmField = "confirm", ConfirmValue = "yes";

    public static void Map(IEndpointRouteBuilder console)
    {
        var page = console.MapGroup("/system").RequireConsoleRole(Role.Admin);
        page.MapGet("/", async (ConsoleRequest request, IApplianceSystem system) => await RenderAsync(request, system, null));
        page.MapPost("/hostname", SetHostnameAsync);
        page.MapPost("/reboot", (ConsoleRequest request, IApplianceSystem system, IAuditTrail audit) =>
            PowerAsync(request, system, audit, PowerAction.Reboot));
        page.MapPost("/poweroff", (ConsoleRequest request, IApplianceSystem system, IAuditTrail audit) =>
            PowerAsync(request, system, audit, PowerAction.PowerOff));
    }

    private enum PowerAction { Reboot, PowerOff }

    private static async Task<IResult> SetHostnameAsync(ConsoleRequest request, IApplianceSystem system, IAuditTrail audit)
    {
        string requested = request.Form[HostnameField].ToString().Trim();
        if (StaticHostname.Check(requested) is { } invalid)
        {
            return await RenderAsync(request, system, invalid, StatusCodes.Status400BadRequest);
        }
        var aborted = request.Http.RequestAborted;
        var before = await system.ReadHostnameAsync(aborted);
        var result = await system.SetStaticHostnameAsync(requested, aborted);
        if (!result.Succeeded)
        {
            audit.HostnameChangeFailed(request.Account, before.Static, requested, result.Problem!);
            return await RenderAsync(request, system, $"The host name was not changed: {result.Problem}", StatusCodes.Status502BadGateway);
        }
        audit.HostnameChanged(request.Account, before.Static, requested);
        return Results.Redirect(Path);
    }

    private static async Task<IResult> PowerAsync(ConsoleRequest request, IApplianceSystem system, IAuditTrail audit, PowerAction action)
    {
        string verb = action == PowerAction.Reboot ? "reboot" : "power off";
        if (request.Form[ConfirmField] != ConfirmValue)
        {
            return await RenderAsync(request, system, $"Nothing done: tick the box that confirms you mean to {verb} the appliance.", StatusCodes.Status400BadRequest);
        }
        var aborted = request.Http.RequestAborted;
        // Audited before the call: once it succeeds the machine may stop before anything else is written.
        SystemActionResult result;
        if (action == PowerAction.Reboot)
        {
            audit.RebootRequested(request.Account);
            result = await system.RebootAsync(aborted);
            if (!result.Succeeded) audit.RebootFailed(request.Account, result.Problem!);
        }
        else
        {
            audit.PowerOffRequested(request.Account);
            result = await system.PowerOffAsync(aborted);
            if (!result.Succeeded) audit.PowerOffFailed(request.Account, result.Problem!);
        }
        if (!result.Succeeded)
        {
            return await RenderAsync(request, system, $"The appliance did not {verb}: {result.Problem}", StatusCodes.Status502BadGateway);
        }
        return action == PowerAction.Reboot
            ? ConsoleLayout.Page(request, "Rebooting", Html.Of($"<p role=\"status\">The appliance is rebooting. Meetings in progress have ended; the console answers again once it is up.</p>"))
            : ConsoleLayout.Page(request, "Powering off", Html.Of($"<p role=\"status\">The appliance is powering off. It stays off until someone switches it on.</p>"));
    }

    private static async Task<IResult> RenderAsync(ConsoleRequest request, IApplianceSystem system, string? error, int status = StatusCodes.Status200OK)
    {
        var snapshot = await system.ReadAsync(request.Http.RequestAborted);
        var body = snapshot.BusProblem is { } busProblem
            ? Html.Of($"""
                <p role="status">{busProblem}</p>
                {TimeSourcesSection(snapshot.TimeSources)}
                """)
            : Html.Of($"""
                {HostnameSection(request, snapshot.Hostname)}
                {TimeSection(snapshot.Time)}
                {TimeSourcesSection(snapshot.TimeSources)}
                {UnitsSection(snapshot.Units)}
                {PowerSection(request)}
                """);
        return ConsoleLayout.Page(request, "System", Html.Of($"{ConsoleLayout.ErrorNote(error)}{body}"), status);
    }

    private static Html HostnameSection(ConsoleRequest request, HostnameStatus hostname) => Html.Of($"""
        <h2>Host name</h2>
        <table aria-label="Host name"><tbody>
          <tr><th scope="row">Static (kept across reboots)</th><td>{hostname.Static ?? "unknown"}</td></tr>
          <tr><th scope="row">Transient (in use now)</th><td>{hostname.Transient ?? "unknown"}</td></tr>
        </tbody></table>
        {Problem(hostname.Problem)}
        <form method="post" action="{Path}/hostname" aria-label="Change the host name">
          {request.CsrfField}
          <label for="{HostnameField}">New static host name (letters, digits, hyphens; dots between parts; at most {StaticHostname.MaxLength} characters)</label>
          <input id="{HostnameField}" name="{HostnameField}" required maxlength="{StaticHostname.MaxLength}" value="{hostname.Static}">
          <button type="submit">Set host name</button>
        </form>
        """);

    private static Html TimeSection(TimeStatus time) => Html.Of($"""
        <h2>Time</h2>
        <table aria-label="Time"><tbody>
          <tr><th scope="row">System time (UTC)</th><td>{(time.SystemTime is { } now ? $"{now:yyyy-MM-dd HH:mm:ss}" : "unknown")}</td></tr>
          <tr><th scope="row">Time zone</th><td>{time.TimeZone ?? "unknown"}</td></tr>
          <tr><th scope="row">Network time synchronisation on</th><td>{YesNo(time.Ntp)}</td></tr>
          <tr><th scope="row">Clock synchronised</th><td>{YesNo(time.NtpSynchronized)}</td></tr>
          <tr><th scope="row">Time daemon available</th><td>{YesNo(time.CanNtp)}</td></tr>
        </tbody></table>
        {Problem(time.Problem)}
        """);

    private static Html TimeSourcesSection(TimeSources sources)
    {
        var listed = sources.Sources.Select(s => Html.Of($"<li><code>{s.Directive}</code> <span class=\"help\">({s.File})</span></li>"));
        return Html.Of($"""
            <h2>Time servers (chrony)</h2>
            {(sources.Problem is { } problem ? Problem(problem)
                : sources.Sources.Count == 0 ? Html.Trusted("<p>None configured: the appliance contacts no time server until an admin adds one (docs/system-page.md).</p>")
                : Html.Of($"<ul aria-label=\"Time servers\">{listed}</ul>"))}
            """);
    }

    private static Html UnitsSection(IReadOnlyList<UnitStatus> units)
    {
        var rows = units.Select(u => Html.Of(
            $"<tr><td>{u.Unit}</td><td>{(u.LoadState == "not-found" ? "not installed" : u.ActiveState ?? "unknown")}</td><td>{u.SubState ?? "-"}</td><td>{u.Problem ?? ""}</td></tr>"));
        return Html.Of($"""
            <h2>Services</h2>
            <table aria-label="Services"><thead><tr><th scope="col">Unit</th><th scope="col">State</th><th scope="col">Sub-state</th><th scope="col">Problem</th></tr></thead><tbody>{rows}</tbody></table>
            """);
    }

    private static Html PowerSection(ConsoleRequest request) => Html.Of($"""
        <h2>Power</h2>
        <form method="post" action="{Path}/reboot" aria-label="Reboot">
          {request.CsrfField}
          <label class="check"><input type="checkbox" name="{ConfirmField}" value="{ConfirmValue}" required> Yes, reboot the appliance now: meetings in progress end</label>
          <button type="submit">Reboot</button>
        </form>
        <form method="post" action="{Path}/poweroff" aria-label="Power off">
          {request.CsrfField}
          <label class="check"><input type="checkbox" name="{ConfirmField}" value="{ConfirmValue}" required> Yes, power the appliance off: it stays off until someone switches it on</label>
          <button type="submit">Power off</button>
        </form>
        <p class="help">Each request is written to the audit log before it is made.</p>
        """);

    private static Html Problem(string? problem) => problem is null ? Html.Empty : Html.Of($"<p class=\"error\">{problem}</p>");

    private static string YesNo(bool? value) => value switch { true => "yes", false => "no", null => "unknown" };
}
