using Conclave.Meetings;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace Conclave.Web.Console;

/// <summary>First-admin setup, login with TOTP, logout, and TOTP enrolment.</summary>
internal static class LoginPages
{
    public const string EnrolPath = "/console/enrol";

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapGet("/setup", (HttpContext http, AccountService accounts, string? token) =>
            accounts.AdminExists || !accounts.Setup.IsOpen
                ? ConsoleLayout.Message(StatusCodes.Status410Gone, "Setup done", "An admin exists already: log in instead.")
                : SetupForm(http, token, null));
        app.MapPost("/setup", async (HttpContext http, AccountService accounts, IAuditTrail audit) =>
        {
            var (form, refusal) = await AnonymousForms.ReadAsync(http, audit, "/setup");
            if (form is null) return refusal!;
            try
            {
                var admin = accounts.CreateFirstAdmin(form["token"], form["username"], form["display_name"], form["password"], RequestSource.Of(http));
                StartSession(http, accounts, admin);
                return Results.Redirect(EnrolPath);
            }
            catch (DomainException e) when (e.Kind != DomainErrorKind.Gone)
            {
                return SetupForm(http, form["token"], e.Message, DomainErrorFilter.StatusOf(e.Kind));
            }
            catch (DomainException e)
            {
                return ConsoleLayout.Message(DomainErrorFilter.StatusOf(e.Kind), "Setup refused", e.Message);
            }
        });

        app.MapGet("/login", (HttpContext http, string? @return) => LoginForm(http, @return, null));
        app.MapPost("/login", async (HttpContext http, AccountService accounts, IAuditTrail audit) =>
        {
            var (form, refusal) = await AnonymousForms.ReadAsync(http, audit, "/login");
            if (form is null) return refusal!;
            var result = accounts.Login(form["username"], form["password"], form["code"], RequestSource.Of(http));
            if (!result.Succeeded)
            {
                int status = result.Outcome is LoginOutcome.Throttled ? StatusCodes.Status429TooManyRequests : StatusCodes.Status401Unauthorized;
                return LoginForm(http, form["return"], result.Message, status);
            }
            StartSession(http, accounts, result.Account!);
            return Results.Redirect(result.Account!.MustEnrolSecondFactor ? EnrolPath : LocalPath(form["return"]));
        }).AddEndpointFilter<DomainErrorFilter>();

        app.MapPost("/logout", (ConsoleRequest request, AccountService accounts) =>
        {
            accounts.Logout(request.Session, request.Account);
            request.Http.Response.Cookies.Delete(ConsoleCookies.Session, ConsoleCookies.Options());
            return Results.Redirect("/login");
        }).RequireConsoleRole(Role.None);

        app.MapGet(EnrolPath, (ConsoleRequest request, AccountService accounts) => EnrolForm(request, accounts, null)).RequireConsoleRole(Role.None);
        app.MapPost(EnrolPath, (ConsoleRequest request, AccountService accounts) =>
        {
            try
            {
                accounts.ConfirmTotpEnrolment(request.Account, request.Form["password"], request.Form["current-code"], request.Form["code"], RequestSource.Of(request.Http));
                return Results.Redirect("/console");
            }
            catch (DomainException e) when (e.Kind == DomainErrorKind.Invalid)
            {
                return EnrolForm(request, accounts, e.Message, StatusCodes.Status400BadRequest);
            }
        }).RequireConsoleRole(Role.None);
    }

    private static void StartSession(HttpContext http, AccountService accounts, Account account)
    {
        var started = accounts.StartSession(account);
        http.Response.Cookies.Append(ConsoleCookies.Session, started.CookieValue, ConsoleCookies.Options());
    }

    /// <summary>Only a path on this appliance: "/x", never "//evil" or "https://…" (open redirect).</summary>
    /// <summary>
    /// Where to go after logging in: a path on this appliance, never another site. Browsers
    /// drop tabs and newlines from URLs, so "/\t/evil.example" would become "//evil.example":
    /// anything but printable ASCII is refused, as is "//" or "/\" at the start.
    /// </summary>
    internal static string LocalPath(string? path) =>
        path is { Length: > 1 and < 512 } && path[0] == '/' && path[1] != '/' && path[1] != '\\' && IsPrintableAscii(path) ? path : "/console";

    private static bool IsPrintableAscii(string path)
    {
        foreach (char c in path)
        {
            if (c is < '!' or > '~') return false;
        }
        return true;
    }

    private static IResult LoginForm(HttpContext http, string? returnPath, string? error, int status = StatusCodes.Status200OK) =>
        ConsoleLayout.Bare("Log in", Html.Of($"""
            {ConsoleLayout.ErrorNote(error)}
            <form method="post" action="/login" aria-label="Log in">
              {AnonymousForms.Field(http)}
              <input type="hidden" name="return" value="{LocalPath(returnPath)}">
              <label for="username">User name</label>
              <input id="username" name="username" autocomplete="username" required maxlength="{Validation.MaxUserNameLength}">
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="{PasswordHasher.MaxPasswordLength}">
              <label for="code">Authentication code</label>
              <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" maxlength="6" aria-describedby="code-help">
              <p id="code-help" class="help">The 6-digit code from your authenticator app, if your account has one.</p>
              <button type="submit">Log in</button>
            </form>
            """), status);

    private static IResult SetupForm(HttpContext http, string? token, string? error, int status = StatusCodes.Status200OK) =>
        ConsoleLayout.Bare("Create the first admin", Html.Of($"""
            <p>This appliance has no admin yet. The link you opened was printed once by conclaved; it works until an admin exists.</p>
            {ConsoleLayout.ErrorNote(error)}
            <form method="post" action="/setup" aria-label="Create the first admin">
              {AnonymousForms.Field(http)}
              <input type="hidden" name="token" value="{token}">
              <label for="username">User name</label>
              <input id="username" name="username" autocomplete="username" required maxlength="{Validation.MaxUserNameLength}">
              <label for="display_name">Display name</label>
              <input id="display_name" name="display_name" autocomplete="name" required maxlength="{Validation.MaxDisplayNameLength}">
              <label for="password">Password</label>
              <input id="password" name="password" type="password" autocomplete="new-password" required minlength="{PasswordHasher.MinPasswordLength}" maxlength="{PasswordHasher.MaxPasswordLength}">
              <button type="submit">Create admin</button>
            </form>
            """), status);

    private static IResult EnrolForm(ConsoleRequest request, AccountService accounts, string? error, int status = StatusCodes.Status200OK)
    {
        var enrolment = accounts.BeginTotpEnrolment(request.Account);
        string why = request.Account.MustEnrolSecondFactor
            ? "Your roles need a second factor: enrol an authenticator app before anything else."
            : "Enrol an authenticator app (or replace the one you have).";
        return ConsoleLayout.Page(request, "Two-factor authentication", Html.Of($"""
            <p>{why}</p>
            {ConsoleLayout.ErrorNote(error)}
            <figure>
              <img src="{enrolment.QrPngDataUri}" alt="QR code to scan with an authenticator app" width="240" height="240">
              <figcaption>Or type this key: <code id="totp-secret" aria-label="Secret key">{enrolment.SecretBase32}</code></figcaption>
            </figure>
            <form method="post" action="{EnrolPath}" aria-label="Confirm the authenticator">
              {request.CsrfField}
              <label for="password">Your password</label>
              <input id="password" name="password" type="password" autocomplete="current-password" required maxlength="{PasswordHasher.MaxPasswordLength}">
              {Html.When(request.Account.HasSecondFactor, Html.Of($"""
                <label for="current-code">Code from the app you have now</label>
                <input id="current-code" name="current-code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6">
                """))}
              <label for="code">Code from the app</label>
              <input id="code" name="code" inputmode="numeric" autocomplete="one-time-code" required maxlength="6">
              <button type="submit">Confirm</button>
            </form>
            """), status);
    }
}
