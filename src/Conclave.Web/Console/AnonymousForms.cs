using System.Buffers.Text;
using System.Security.Cryptography;
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
        return Html.Of($"<input type=\"hidden\" name=\"{ConsoleGate.CsrfFieldName}\" value=\"{token}\">");
    }

    public static bool IsValid(HttpContext http, IFormCollection form) =>
        http.Request.Cookies[ConsoleCookies.FormToken] is { Length: 43 } cookie && ConsoleGate.TokensEqual(form[ConsoleGate.CsrfFieldName], cookie);
}
