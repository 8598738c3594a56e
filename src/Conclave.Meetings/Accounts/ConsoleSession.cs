namespace Conclave.Meetings.Accounts;

/// <summary>A logged-in browser. The cookie carries a random 256-bit id; the store keeps only its hash.</summary>
/// <param name="CsrfToken">The synchronizer token every form of this session must post back.</param>
public sealed record ConsoleSession(byte[] IdHash, long AccountId, string CsrfToken, DateTimeOffset CreatedAt, DateTimeOffset LastSeenAt);
