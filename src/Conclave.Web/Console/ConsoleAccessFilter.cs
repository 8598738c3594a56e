using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>
/// In front of every console page and form (<see cref="ConsoleEndpointConventions.RequireConsoleRole"/>):
/// a valid session (else the login page, or 401 for a form), TOTP enrolled where the roles need
/// it, one of the roles in the endpoint's <see cref="ConsoleRoleMetadata"/> (else 403), and for a
/// form at most <see cref="ConsoleForms.MaxFormBytes"/> (else 413) carrying the session's CSRF token
/// (else 403). Each refusal is audited; what is admitted is what the handler's
/// <see cref="ConsoleRequest"/> reads.
/// </summary>
internal sealed class ConsoleAccessFilter(AccountService accounts, IAuditTrail audit) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var anyOf = http.GetEndpoint()!.Metadata.GetRequiredMetadata<ConsoleRoleMetadata>().AnyOf;
        var (signedIn, refusal) = Admit(http, anyOf);
        if (refusal is not null) return refusal;
        var (account, session) = signedIn!.Value;
        IFormCollection? form = null;
        if (!HttpMethods.IsGet(http.Request.Method))
        {
            form = await ConsoleForms.ReadAsync(http);
            if (form is null)
            {
                return ConsoleLayout.Message(StatusCodes.Status413PayloadTooLarge, "Form too large", $"A form may hold at most {ConsoleForms.MaxFormBytes / 1024} KiB.");
            }
            if (!ConsoleForms.TokensEqual(form[ConsoleForms.CsrfFieldName], session.CsrfToken))
            {
                audit.ConsoleFormRefused(AuditActor.User(account), http.Request.Path);
                return ConsoleLayout.Message(StatusCodes.Status403Forbidden, "Form refused",
                    "This form did not come from your current console page. Reload the page and try again.");
            }
        }
        ConsoleRequest.Admit(http, account, session, form);
        return await next(context);
    }

    /// <summary>
    /// The signed-in account, or why not, audited, as the answer to send: the login page (or
    /// 401 for a form) without a valid session, the enrolment page before TOTP where the
    /// roles need it, 403 without one of <paramref name="anyOf"/> (None: any account).
    /// </summary>
    private ((Account, ConsoleSession)? SignedIn, IResult? Refusal) Admit(HttpContext http, Role anyOf)
    {
        string path = http.Request.Path;
        var who = accounts.Authenticate(http.Request.Cookies[ConsoleCookies.Session]);
        if (who is not { } signedIn)
        {
            bool forged = http.Request.Cookies.ContainsKey(ConsoleCookies.Session);
            audit.ConsoleNotLoggedIn(RequestSource.Of(http), path, cookieRefused: forged);
            if (forged) http.Response.Cookies.Delete(ConsoleCookies.Session, ConsoleCookies.Options());
            return (null, HttpMethods.IsGet(http.Request.Method)
                ? Results.Redirect($"/login?return={Uri.EscapeDataString(path)}")
                : ConsoleLayout.Message(StatusCodes.Status401Unauthorized, "Log in first", "Your session has ended; log in again."));
        }
        var account = signedIn.Account;
        if (account.MustEnrolSecondFactor && path != LoginPages.EnrolPath)
        {
            audit.ConsoleEnrolmentRequired(account, path);
            return (null, Results.Redirect(LoginPages.EnrolPath));
        }
        if (anyOf != Role.None && !account.Holds(anyOf))
        {
            audit.ConsoleRoleRefused(account, path, anyOf);
            return (null, ConsoleLayout.Message(StatusCodes.Status403Forbidden, "Not allowed",
                $"This page needs one of these roles: {Roles.Describe(anyOf)}. Yours: {Roles.Describe(account.Roles)}."));
        }
        return ((account, signedIn.Session), null);
    }
}
