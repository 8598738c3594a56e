namespace Conclave.Keys;

/// <summary>
/// A token operation failed for a reason an operator can act on. Messages never
/// contain a PIN or key material.
/// </summary>
public sealed class TokenException(string message) : Exception(message);
