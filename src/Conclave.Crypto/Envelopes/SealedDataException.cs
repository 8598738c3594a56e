namespace Conclave.Crypto.Envelopes;

/// <summary>A sealed object is corrupt, truncated, reordered or not ours; the message says which and where.</summary>
public sealed class SealedDataException(string message, Exception? inner = null) : Exception(message, inner);
