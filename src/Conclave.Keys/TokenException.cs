namespace Conclave.Keys;

/// <summary>
/// A token operation failed for a reason an operator can act on. Messages never
/// contain a PIN or key material.
/// </summary>
public class TokenException(string message) : Exception(message);

/// <summary>A role key is not on the token (or not visible: the token may have come back logged out).</summary>
internal sealed class KeyMissingException(string message) : TokenException(message);

/// <summary>The token refused or lost a session: removed, or its module reset.</summary>
internal sealed class TokenUnreachableException(string message) : TokenException(message);
