using System.Security.Cryptography;

namespace Conclave.Crypto.Hpke;

/// <summary>An HPKE ciphertext was refused: enc is not a valid point or the ciphertext does not authenticate. The message names no secret.</summary>
public sealed class HpkeOpenException(string message, Exception? inner = null) : CryptographicException(message, inner);
