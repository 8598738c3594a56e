using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;

namespace Conclave.Testing;

/// <summary>A storage KEK in memory (AES-256-GCM around the data key), for tests that are not about the token.</summary>
public sealed class SoftwareKeyWrapper : IDataKeyWrapper
{
    private const int NonceBytes = 12, TagBytes = 16;
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);

    public byte[] Wrap(ReadOnlySpan<byte> dataKey)
    {
        var wrapped = new byte[NonceBytes + dataKey.Length + TagBytes];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, NonceBytes));
        using var gcm = new AesGcm(_kek, TagBytes);
        gcm.Encrypt(wrapped.AsSpan(0, NonceBytes), dataKey, wrapped.AsSpan(NonceBytes, dataKey.Length), wrapped.AsSpan(NonceBytes + dataKey.Length));
        return wrapped;
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey)
    {
        if (wrappedKey.Length < NonceBytes + TagBytes) throw new CryptographicException("too short to be a wrapped key");
        var dataKey = new byte[wrappedKey.Length - NonceBytes - TagBytes];
        using var gcm = new AesGcm(_kek, TagBytes);
        gcm.Decrypt(wrappedKey[..NonceBytes], wrappedKey[NonceBytes..^TagBytes], wrappedKey[^TagBytes..], dataKey);
        return dataKey;
    }
}
