using System.Buffers.Text;
using System.Security.Cryptography;

namespace Conclave.Meetings;

/// <summary>
/// The 256-bit random secrets handed to browsers (session cookies, invitation links, guest
/// passes): base64url text outside, only their SHA-256 at rest.
/// </summary>
internal static class RandomToken
{
    private const int Bytes = 32;

    /// <summary>base64url of 32 bytes, without padding: 43 characters.</summary>
    public const int TextLength = 43;

    public static string New(out byte[] hash)
    {
        Span<byte> secret = stackalloc byte[Bytes];
        RandomNumberGenerator.Fill(secret);
        hash = SHA256.HashData(secret);
        return Base64Url.EncodeToString(secret);
    }

    /// <summary>The SHA-256 of a token, or null for anything that is not one (never throws on hostile text).</summary>
    public static byte[]? HashOf(string? text)
    {
        if (text is not { Length: TextLength } || !Base64Url.IsValid(text)) return null;
        Span<byte> secret = stackalloc byte[Bytes];
        return Base64Url.TryDecodeFromChars(text, secret, out int written) && written == Bytes ? SHA256.HashData(secret) : null;
    }
}
