using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Tests.Recorder;

/// <summary>A storage KEK in memory (AES-256-GCM around the data key), for tests that are not about the token.</summary>
internal sealed class SoftwareKeyWrapper : IDataKeyWrapper
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

/// <summary>A key wrapper that, once closed, holds every wrap (so the writer stops in the middle of sealing) until opened.</summary>
internal sealed class GatedKeyWrapper(IDataKeyWrapper inner) : IDataKeyWrapper
{
    private readonly ManualResetEventSlim _open = new(initialState: true);

    public ManualResetEventSlim Waiting { get; } = new();

    public void Close() => _open.Reset();

    public void Open() => _open.Set();

    public byte[] Wrap(ReadOnlySpan<byte> dataKey)
    {
        if (!_open.IsSet) Waiting.Set();
        _open.Wait();
        return inner.Wrap(dataKey);
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => inner.Unwrap(wrappedKey);
}
