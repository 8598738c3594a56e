using System.Globalization;
using System.Text;

namespace Conclave.Recording.Export;

/// <summary>
/// The security code members saw for an epoch, rendered from its epoch authenticator (RFC 9420
/// §8.7) exactly as the browser does (client/src/e2ee/security-code.ts): six groups of five
/// digits, each group 24 big-endian bits of the authenticator modulo 10^5, zero-padded.
/// </summary>
internal static class SecurityCode
{
    private const int Groups = 6;
    private const int DigitsPerGroup = 5;
    private const int Modulus = 100_000;

    /// <summary>The code, or null for an authenticator shorter than the 18 bytes it reads (the browser shows none then).</summary>
    public static string? Render(ReadOnlySpan<byte> epochAuthenticator)
    {
        if (epochAuthenticator.Length < Groups * 3) return null;
        var code = new StringBuilder(Groups * (DigitsPerGroup + 1));
        for (int i = 0; i < Groups; i++)
        {
            if (i > 0) code.Append(' ');
            int value = epochAuthenticator[i * 3] << 16 | epochAuthenticator[i * 3 + 1] << 8 | epochAuthenticator[i * 3 + 2];
            code.Append((value % Modulus).ToString("D5", CultureInfo.InvariantCulture));
        }
        return code.ToString();
    }
}
