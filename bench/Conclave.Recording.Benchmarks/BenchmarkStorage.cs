using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Benchmarks;

/// <summary>A storage KEK in memory: the token is not what these benchmarks measure.</summary>
internal sealed class MemoryKeyWrapper : IDataKeyWrapper
{
    private readonly byte[] _kek = RandomNumberGenerator.GetBytes(32);

    public byte[] Wrap(ReadOnlySpan<byte> dataKey)
    {
        var wrapped = new byte[12 + dataKey.Length + 16];
        RandomNumberGenerator.Fill(wrapped.AsSpan(0, 12));
        using var gcm = new AesGcm(_kek, 16);
        gcm.Encrypt(wrapped.AsSpan(0, 12), dataKey, wrapped.AsSpan(12, dataKey.Length), wrapped.AsSpan(12 + dataKey.Length));
        return wrapped;
    }

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey)
    {
        var dataKey = new byte[wrappedKey.Length - 28];
        using var gcm = new AesGcm(_kek, 16);
        gcm.Decrypt(wrappedKey[..12], wrappedKey[12..^16], wrappedKey[^16..], dataKey);
        return dataKey;
    }
}

/// <summary>A recording that stops on its own (a full disk) would measure nothing: fail the run instead.</summary>
internal sealed class StopsAreFailures : IRecordingEvents
{
    public void Stopped(string roomId, byte[] recordingId, string reason) => throw new InvalidOperationException($"the recording stopped: {reason}");
}
