using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace Conclave.Web.Console;

/// <summary>Reading posted forms, logged in or not: a size limit and the CSRF token's field.</summary>
internal static class ConsoleForms
{
    public const string CsrfFieldName = "_csrf";

    /// <summary>Forms are small: 64 KiB is room for a 100-name roster many times over.</summary>
    public const long MaxFormBytes = 64 * 1024;

    /// <summary>The posted form (empty when the body is not a form), or null when it is too large or unreadable.</summary>
    public static async Task<IFormCollection?> ReadAsync(HttpContext http)
    {
        if (http.Request.ContentLength is > MaxFormBytes || !http.Request.HasFormContentType) return http.Request.HasFormContentType ? null : FormCollection.Empty;
        // A chunked body announces no length: Kestrel itself stops reading past the limit.
        if (http.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } body)
        {
            body.MaxRequestBodySize = MaxFormBytes;
        }
        try
        {
            return await http.Request.ReadFormAsync(http.RequestAborted);
        }
        catch (Exception e) when (e is InvalidDataException or BadHttpRequestException or IOException)
        {
            return null;
        }
    }

    /// <summary>Compared in constant time, so the comparison does not tell how much of a guess was right.</summary>
    public static bool TokensEqual(string? given, string expected) =>
        given is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given), Encoding.UTF8.GetBytes(expected));
}
