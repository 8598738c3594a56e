namespace Conclave.Crypto.Escrow;

/// <summary>
/// An escrow blob did not open: sealed to another key, not authentic, or not what it claims to
/// be. The message names the recording, epoch and sealer leaf, never a key or secret.
/// </summary>
public sealed class EscrowOpenException(string message, Exception? inner = null) : Exception(message, inner);
