using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>
/// The appliance's cookies. The __Host- prefix makes browsers insist on Secure, Path=/ and
/// no Domain (RFC 6265bis §4.1.3.2); HttpOnly keeps them from scripts; SameSite=Strict keeps
/// them off requests that other sites start.
/// </summary>
internal static class ConsoleCookies
{
    /// <summary>A console session (its random id; the store has only the hash).</summary>
    public const string Session = "__Host-conclave-session";

    /// <summary>A guest pass, from an opened invitation.</summary>
    public const string Guest = "__Host-conclave-guest";

    /// <summary>The double-submit token of forms shown before login (login, setup, invitation).</summary>
    public const string FormToken = "__Host-conclave-form";

    public static CookieOptions Options(TimeSpan? maxAge = null) => new()
    {
        Secure = true,
        HttpOnly = true,
        SameSite = SameSiteMode.Strict,
        Path = "/",
        IsEssential = true,
        MaxAge = maxAge,
    };
}
