namespace Conclave.Crypto.Envelopes;

/// <summary>
/// Wraps and unwraps a sealed object's data key under a key-encryption key that lives
/// elsewhere (the token's storage KEK in production). Unwrap throws when the wrapped
/// key is corrupt or belongs to another KEK.
/// </summary>
public interface IDataKeyWrapper
{
    byte[] Wrap(ReadOnlySpan<byte> dataKey);

    byte[] Unwrap(ReadOnlySpan<byte> wrappedKey);
}
