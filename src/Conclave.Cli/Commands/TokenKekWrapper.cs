using Conclave.Crypto.Envelopes;

namespace Conclave.Cli.Commands;

/// <summary>A sealed object's data key wrapped and unwrapped by a storage KEK on the appliance token (null label: the configured one).</summary>
internal sealed class TokenKekWrapper(Keys.Token token, string? label) : IDataKeyWrapper
{
    public byte[] Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey, label);

    public byte[] Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey, label);
}
