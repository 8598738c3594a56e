using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>Console sessions in the <c>sessions</c> table, keyed by the hash of the cookie; they go when their account does.</summary>
internal sealed class SqliteSessionStore(SqliteConnector connector) : ISessionStore
{
    public void Create(ConsoleSession session)
    {
        using var connection = connector.Open();
        using var command = connection.Command("""
            INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at)
            VALUES ($id_hash, $account_id, $csrf_token, $created_at, $last_seen_at)
            """)
            .With("$id_hash", session.IdHash)
            .With("$account_id", session.AccountId)
            .With("$csrf_token", session.CsrfToken)
            .With("$created_at", session.CreatedAt)
            .With("$last_seen_at", session.LastSeenAt);
        command.ExecuteNonQuery();
    }

    public ConsoleSession? Find(ReadOnlySpan<byte> idHash)
    {
        using var connection = connector.Open();
        using var command = connection.Command("""
            SELECT id_hash, account_id, csrf_token, created_at, last_seen_at FROM sessions WHERE id_hash = $id_hash
            """).With("$id_hash", idHash.ToArray());
        return command.ReadSingle(Read);
    }

    public void Touch(ReadOnlySpan<byte> idHash, DateTimeOffset lastSeenAt)
    {
        using var connection = connector.Open();
        using var command = connection.Command("UPDATE sessions SET last_seen_at = $last_seen_at WHERE id_hash = $id_hash")
            .With("$last_seen_at", lastSeenAt)
            .With("$id_hash", idHash.ToArray());
        command.ExecuteNonQuery();
    }

    public void Delete(ReadOnlySpan<byte> idHash)
    {
        using var connection = connector.Open();
        using var command = connection.Command("DELETE FROM sessions WHERE id_hash = $id_hash").With("$id_hash", idHash.ToArray());
        command.ExecuteNonQuery();
    }

    public void DeleteForAccount(long accountId)
    {
        using var connection = connector.Open();
        using var command = connection.Command("DELETE FROM sessions WHERE account_id = $account_id").With("$account_id", accountId);
        command.ExecuteNonQuery();
    }

    private static ConsoleSession Read(SqliteDataReader row) => new(
        IdHash: row.GetBlob(0),
        AccountId: row.GetInt64(1),
        CsrfToken: row.GetString(2),
        CreatedAt: row.GetTime(3),
        LastSeenAt: row.GetTime(4));
}
