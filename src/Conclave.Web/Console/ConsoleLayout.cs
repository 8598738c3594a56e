using Conclave.Meetings.Accounts;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>
/// The console's page shell: one stylesheet from this box, navigation by role, and script only
/// on live pages with forms (/js/console.js, from this box too).
/// </summary>
internal static class ConsoleLayout
{
    private static readonly (string Path, string Label, Role AnyOf)[] Navigation =
    [
        ("/console", "Dashboard", Role.None),
        ("/console/meetings", "Meetings", Role.None),
        ("/console/users", "Users", Role.Admin),
        ("/console/audit", "Audit log", Role.Admin | Role.SecurityOfficer | Role.ComplianceOfficer),
        ("/console/recordings", "Recordings", Role.Admin | Role.ComplianceOfficer),
        ("/console/token", "Token", Role.Admin | Role.SecurityOfficer),
        ("/console/settings", "Settings", Role.Admin),
        (SystemPage.Path, "System", Role.Admin),
        ("/console/enrol", "Authenticator app", Role.None),
    ];

    /// <param name="refreshSeconds">For live pages without forms (dashboard): the browser reloads them, no script needed.</param>
    /// <param name="watchLive">For live pages with forms (a meeting's lobby): /js/console.js reloads the page when its
    /// element with data-live-url reports a change and nobody is typing.</param>
    public static IResult Page(ConsoleRequest request, string title, Html body, int status = StatusCodes.Status200OK, int? refreshSeconds = null, bool watchLive = false)
    {
        string current = request.Http.Request.Path;
        var links = Navigation
            .Where(n => n.AnyOf == Role.None || request.Account.Holds(n.AnyOf))
            .Select(n => Html.Of($"<li><a href=\"{n.Path}\"{Html.When(n.Path == current, Html.Trusted(" aria-current=\"page\""))}>{n.Label}</a></li>"));
        var header = Html.Of($"""
            <header>
              <p class="brand">Conclave console</p>
              <nav aria-label="Console"><ul>{links}</ul></nav>
              <form method="post" action="/logout" class="who">
                {request.CsrfField}
                <span>{request.Account.DisplayName} ({Roles.Describe(request.Account.Roles)})</span>
                <button type="submit">Log out</button>
              </form>
            </header>
            """);
        return Document(title, Html.Of($"{header}<main><h1>{title}</h1>{body}</main>"), status, refreshSeconds, watchLive);
    }

    /// <summary>A page for someone not logged in (login, setup, invitation, errors).</summary>
    public static IResult Bare(string title, Html body, int status = StatusCodes.Status200OK) =>
        Document(title, Html.Of($"<header><p class=\"brand\">Conclave</p></header><main><h1>{title}</h1>{body}</main>"), status);

    public static IResult Message(int status, string title, string message) =>
        Bare(title, Html.Of($"<p role=\"alert\">{message}</p><p><a href=\"/console\">Back to the console</a></p>"), status);

    private static IResult Document(string title, Html body, int status, int? refreshSeconds = null, bool watchLive = false) => Results.Content(Html.Of($"""
        <!doctype html>
        <html lang="en">
        <head>
          <meta charset="utf-8">
          <meta name="viewport" content="width=device-width, initial-scale=1">
          <title>{title} — Conclave</title>
          <link rel="stylesheet" href="/css/console.css">
          {Html.When(refreshSeconds is not null, Html.Of($"<meta http-equiv=\"refresh\" content=\"{refreshSeconds}\">"))}
          {Html.When(watchLive, Html.Trusted("<script type=\"module\" src=\"/js/console.js\"></script>"))}
        </head>
        <body>{body}</body>
        </html>
        """).Value, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);

    public static Html ErrorNote(string? message) => message is null ? Html.Empty : Html.Of($"<p role=\"alert\" class=\"error\">{message}</p>");
}
