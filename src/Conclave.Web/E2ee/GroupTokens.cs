using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Conclave.Web.E2ee;

/// <summary>
/// The bearer token <c>joined</c> gives each participant for its GroupInfo requests. Only its
/// SHA-256 is kept, and looked up by comparing digests in constant time.
/// </summary>
public static class GroupTokens
{
    /// <summary>256 random bits, base64url without padding (a valid RFC 6750 b64token).</summary>
    public static string New() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    public static byte[] Sha256(string token) => SHA256.HashData(Encoding.UTF8.GetBytes(token));
}
