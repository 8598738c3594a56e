using Conclave.Crypto.Envelopes;
using Conclave.Keys;
using Conclave.Meetings.Ports;

namespace Conclave.Daemon;

/// <summary>
/// Small secrets at rest (TOTP seeds) as sealed envelopes: a fresh data key per secret,
/// wrapped by the token's storage KEK (docs/sealed-storage.md), so the database alone
/// reveals nothing.
/// </summary>
internal sealed class TokenSecretProtector(Token token) : ISecretProtector, IDataKeyWrapper
{
    public byte[] Protect(ReadOnlySpan<byte> secret) => SealedEnvelope.Seal(secret, this);

    public byte[] Unprotect(ReadOnlySpan<byte> sealedSecret, string objectName) => SealedEnvelope.Open(sealedSecret, this, objectName);

    byte[] IDataKeyWrapper.Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey);

    byte[] IDataKeyWrapper.Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey);
}
