using System.Security.Cryptography;
using System.Text;
using Conclave.Meetings;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>
/// In front of every console page and form: a valid session (else the login page, or
/// 401 for a form), TOTP enrolled where the roles need it, one of the roles the page
/// needs (else 403), and for forms the session's CSRF token (else 403). Each refusal is
/// audited; a <see cref="DomainException"/> from the work becomes its status and message.
/// </summary>
internal sealed class ConsoleGate(AccountService accounts, IAuditTrail audit)
{
    public const string CsrfFieldName = "_csrf";
    public const string EnrolPath = "/console/enrol";

    /// <summary>Forms are small: 64 KiB is room for a 100-name roster many times over.</summary>
    public const long MaxFormBytes = 64 * 1024;

    public delegate IResult PageHandler(ConsoleRequest request);

    public delegate IResult FormHandler(ConsoleRequest request, IFormCollection form);

    public static string SourceOf(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    public RequestDelegate Page(Role anyOf, PageHandler handler) => async http =>
    {
        var (request, refusal) = Admit(http, anyOf);
        await (refusal ?? Run(http, () => handler(request!))).ExecuteAsync(http);
    };

    public RequestDelegate Form(Role anyOf, FormHandler handler) => async http =>
    {
        var (request, refusal) = Admit(http, anyOf);
        if (refusal is not null)
        {
            await refusal.ExecuteAsync(http);
            return;
        }
        var form = await ReadFormAsync(http);
        if (form is null)
        {
            await ConsoleLayout.Message(http, StatusCodes.Status413PayloadTooLarge, "Form too large", $"A form may hold at most {MaxFormBytes / 1024} KiB.").ExecuteAsync(http);
            return;
        }
        if (!TokensEqual(form[CsrfFieldName], request!.Session.CsrfToken))
        {
            audit.ConsoleFormRefused(AuditActor.User(request.Account), http.Request.Path);
            await ConsoleLayout.Message(http, StatusCodes.Status403Forbidden, "Form refused",
                "This form did not come from your current console page. Reload the page and try again.").ExecuteAsync(http);
            return;
        }
        await Run(http, () => handler(request, form)).ExecuteAsync(http);
    };

    /// <summary>
    /// The logged-in request, or why not, audited, as the answer to send: the login page (or
    /// 401 for a form) without a valid session, the enrolment page before TOTP where the
    /// roles need it, 403 without one of <paramref name="anyOf"/> (None: any account).
    /// </summary>
    private (ConsoleRequest? Request, IResult? Refusal) Admit(HttpContext http, Role anyOf)
    {
        string path = http.Request.Path;
        var who = accounts.Authenticate(http.Request.Cookies[ConsoleCookies.Session]);
        if (who is not { } signedIn)
        {
            bool forged = http.Request.Cookies.ContainsKey(ConsoleCookies.Session);
            audit.ConsoleNotLoggedIn(SourceOf(http), path, cookieRefused: forged);
            if (forged) http.Response.Cookies.Delete(ConsoleCookies.Session, ConsoleCookies.Options());
            return (null, HttpMethods.IsGet(http.Request.Method)
                ? Results.Redirect($"/login?return={Uri.EscapeDataString(path)}")
                : ConsoleLayout.Message(http, StatusCodes.Status401Unauthorized, "Log in first", "Your session has ended; log in again."));
        }
        var account = signedIn.Account;
        if (account.MustEnrolSecondFactor && path != EnrolPath)
        {
            audit.ConsoleEnrolmentRequired(account, path);
            return (null, Results.Redirect(EnrolPath));
        }
        if (anyOf != Role.None && !account.Holds(anyOf))
        {
            audit.ConsoleRoleRefused(account, path, anyOf);
            return (null, ConsoleLayout.Message(http, StatusCodes.Status403Forbidden, "Not allowed",
                $"This page needs one of these roles: {Roles.Describe(anyOf)}. Yours: {Roles.Describe(account.Roles)}."));
        }
        return (new ConsoleRequest(http, account, signedIn.Session), null);
    }

    public static IResult Run(HttpContext http, Func<IResult> work)
    {
        try
        {
            return work();
        }
        catch (DomainException e)
        {
            return ConsoleLayout.Message(http, StatusOf(e.Kind), "Not done", e.Message);
        }
    }

    public static int StatusOf(DomainErrorKind kind) => kind switch
    {
        DomainErrorKind.Invalid => StatusCodes.Status400BadRequest,
        DomainErrorKind.Forbidden => StatusCodes.Status403Forbidden,
        DomainErrorKind.NotFound => StatusCodes.Status404NotFound,
        DomainErrorKind.Conflict => StatusCodes.Status409Conflict,
        DomainErrorKind.Gone => StatusCodes.Status410Gone,
        DomainErrorKind.Locked => StatusCodes.Status423Locked,
        DomainErrorKind.Unavailable => StatusCodes.Status503ServiceUnavailable,
        _ => StatusCodes.Status400BadRequest,
    };

    /// <summary>The posted form, or null when it is too large or not a form.</summary>
    public static async Task<IFormCollection?> ReadFormAsync(HttpContext http)
    {
        if (http.Request.ContentLength is > MaxFormBytes || !http.Request.HasFormContentType) return http.Request.HasFormContentType ? null : FormCollection.Empty;
        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    public static bool TokensEqual(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
