using Conclave.Meetings.Accounts;

namespace Conclave.Meetings.Ports;

/// <summary>Console sessions at rest, found by the SHA-256 of the cookie's value (the value itself is never stored).</summary>
public interface ISessionStore
{
    void Create(ConsoleSession session);

    ConsoleSession? Find(ReadOnlySpan<byte> idHash);

    void Touch(ReadOnlySpan<byte> idHash, DateTimeOffset lastSeenAt);

    void Delete(ReadOnlySpan<byte> idHash);

    /// <summary>Ends every session of an account (disabled, password reset, roles changed).</summary>
    void DeleteForAccount(long accountId);
}
