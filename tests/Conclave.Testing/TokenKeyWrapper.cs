using Conclave.Crypto.Envelopes;
using Conclave.Keys;

namespace Conclave.Testing;

/// <summary>A token's storage KEK (or the KEK labelled <paramref name="kekLabel"/>) as a sealed envelope's key wrapper.</summary>
public sealed class TokenKeyWrapper(Token token, string? kekLabel = null) : IDataKeyWrapper
{
    public byte[] Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey, kekLabel);

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey, kekLabel);
}
