using Conclave.Crypto.Envelopes;
using Conclave.Keys;
using Conclave.Meetings;
using Conclave.Meetings.Ports;

namespace Conclave.Daemon;

/// <summary>
/// Small secrets at rest (TOTP seeds) as sealed envelopes: a fresh data key per secret,
/// wrapped by the token's storage KEK (docs/sealed-storage.md), so the database alone
/// reveals nothing. Without the token nothing can be sealed or opened: the person asking
/// is told so (503), and the log says why.
/// </summary>
internal sealed class TokenSecretProtector(Token token) : ISecretProtector, IDataKeyWrapper
{
    public byte[] Protect(ReadOnlySpan<byte> secret)
    {
        try
        {
            return SealedEnvelope.Seal(secret, this);
        }
        catch (TokenException e)
        {
            throw Unavailable(e);
        }
    }

    public byte[] Unprotect(ReadOnlySpan<byte> sealedSecret, string objectName)
    {
        try
        {
            return SealedEnvelope.Open(sealedSecret, this, objectName);
        }
        catch (SealedDataException e) when (e.InnerException is TokenException token)
        {
            throw Unavailable(token);
        }
        catch (SealedDataException e)
        {
            // Altered at rest: say which object, never guess; an admin resets the account.
            throw DomainException.Unavailable($"The stored {e.Message}; an admin must reset this account.");
        }
    }

    private static DomainException Unavailable(TokenException e) =>
        DomainException.Unavailable($"The appliance's key token is not reachable ({e.Message}); try again when it is back.");

    byte[] IDataKeyWrapper.Wrap(ReadOnlySpan<byte> dataKey) => token.WrapDataKey(dataKey);

    byte[] IDataKeyWrapper.Unwrap(ReadOnlySpan<byte> wrappedKey) => token.UnwrapDataKey(wrappedKey);
}
