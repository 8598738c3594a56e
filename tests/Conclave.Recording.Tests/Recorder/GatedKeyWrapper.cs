using Conclave.Crypto.Envelopes;

namespace Conclave.Recording.Tests.Recorder;

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
