using System.Collections.Concurrent;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// Which tokens this process has opened, by label. A login belongs to the whole process
/// and token (PKCS#11 v2.40 §5.6): a second opener of the same token would ride on the
/// first one's login without its PIN being checked, so it is refused.
/// </summary>
internal static class TokenLogins
{
    private static readonly ConcurrentDictionary<string, Token> Holders = new(StringComparer.Ordinal);

    public static bool TryClaim(Token token) => Holders.TryAdd(token.Label, token);

    public static void Release(Token token) => Holders.TryRemove(new KeyValuePair<string, Token>(token.Label, token));

    /// <summary>The labels of the tokens open now, in ordinal order.</summary>
    public static IReadOnlyList<string> Labels() => Holders.Keys.Order(StringComparer.Ordinal).ToArray();
}
