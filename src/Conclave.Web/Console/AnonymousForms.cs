using System.Buffers.Text;
using System.Security.Cryptography;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>
/// CSRF protection for forms shown before anyone is logged in (login, first-admin setup,
/// invitation): a random token in a SameSite=Strict cookie that the form must post back
/// (double submit). Logged-in forms use the session's own token instead.
/// </summary>
internal static class AnonymousForms
{
    public static Html Field(HttpContext http)
    {
        string? token = http.Request.Cookies[ConsoleCookies.FormToken];
        if (token is not { Length: 43 })
        {
            token = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
            http.Response.Cookies.Append(ConsoleCookies.FormToken, token, ConsoleCookies.Options());
        }
        return Html.Of($"<input type=\"hidden\" name=\"{ConsoleForms.CsrfFieldName}\" value=\"{token}\">");
    }

    /// <summary>The posted form, or the audited 403 to answer when it is too large or lacks its token.</summary>
    /// <param name="auditedPath">The path as the audit log shows it (an invitation's token is secret: not its path).</param>
    public static async Task<(IFormCollection? Form, IResult? Refusal)> ReadAsync(HttpContext http, IAuditTrail audit, string auditedPath)
    {
        var form = await ConsoleForms.ReadAsync(http);
        if (form is not null && http.Request.Cookies[ConsoleCookies.FormToken] is { Length: 43 } cookie && ConsoleForms.TokensEqual(form[ConsoleForms.CsrfFieldName], cookie))
        {
            return (form, null);
        }
        audit.ConsoleFormRefused(AuditActor.Anonymous(RequestSource.Of(http)), auditedPath);
        return (null, ConsoleLayout.Message(StatusCodes.Status403Forbidden, "Form refused",
            "This form did not come from this appliance's page (or it is too large). Open the page again and retry."));
    }
}
