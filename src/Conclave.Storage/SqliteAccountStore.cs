using Conclave.Meetings;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>Accounts in the <c>accounts</c> table; the column's NOCASE collation makes user names unique regardless of case.</summary>
internal sealed class SqliteAccountStore(SqliteConnector connector) : IAccountStore
{
    // The column order Read expects. Constants only: no value is ever part of the SQL text.
    private const string Select = """
        SELECT id, user_name, display_name, roles, disabled, password_hash, totp_secret, totp_pending_secret,
               totp_last_step, failed_logins, first_failure_at, locked_until, created_at
        FROM accounts
        """;

    public Account? Find(long id)
    {
        using var connection = connector.Open();
        using var command = connection.Command(Select + " WHERE id = $id").With("$id", id);
        return command.ReadSingle(Read);
    }

    public Account? FindByUserName(string userName)
    {
        using var connection = connector.Open();
        using var command = connection.Command(Select + " WHERE user_name = $user_name").With("$user_name", userName);
        return command.ReadSingle(Read);
    }

    public IReadOnlyList<Account> List()
    {
        using var connection = connector.Open();
        using var command = connection.Command(Select + " ORDER BY user_name, id");
        return command.ReadAll(Read);
    }

    public bool AnyHolding(Role role)
    {
        using var connection = connector.Open();
        using var command = connection.Command("SELECT EXISTS (SELECT 1 FROM accounts WHERE roles & $role <> 0)").With("$role", (long)role);
        return command.ReadFlag();
    }

    public Account Create(Account account)
    {
        using var connection = connector.Open();
        using var command = Bind(connection.Command("""
            INSERT INTO accounts (user_name, display_name, roles, disabled, password_hash, totp_secret, totp_pending_secret,
                                  totp_last_step, failed_logins, first_failure_at, locked_until, created_at)
            VALUES ($user_name, $display_name, $roles, $disabled, $password_hash, $totp_secret, $totp_pending_secret,
                    $totp_last_step, $failed_logins, $first_failure_at, $locked_until, $created_at)
            RETURNING id
            """), account);
        try
        {
            return account with { Id = Convert.ToInt64(command.ExecuteScalar()) };
        }
        catch (SqliteException e) when (e.IsUniqueViolation())
        {
            throw NameTaken(account.UserName);
        }
    }

    public void Update(Account account)
    {
        using var connection = connector.Open();
        using var command = Bind(connection.Command("""
            UPDATE accounts
            SET user_name = $user_name, display_name = $display_name, roles = $roles, disabled = $disabled,
                password_hash = $password_hash, totp_secret = $totp_secret, totp_pending_secret = $totp_pending_secret,
                totp_last_step = $totp_last_step, failed_logins = $failed_logins, first_failure_at = $first_failure_at,
                locked_until = $locked_until, created_at = $created_at
            WHERE id = $id
            """), account).With("$id", account.Id);
        try
        {
            if (command.ExecuteNonQuery() == 0) throw DomainException.NotFound("No such account.");
        }
        catch (SqliteException e) when (e.IsUniqueViolation())
        {
            throw NameTaken(account.UserName);
        }
    }

    private static DomainException NameTaken(string userName) => DomainException.Conflict($"The user name '{userName}' is taken.");

    private static SqliteCommand Bind(SqliteCommand command, Account account) => command
        .With("$user_name", account.UserName)
        .With("$display_name", account.DisplayName)
        .With("$roles", (long)account.Roles)
        .With("$disabled", account.Disabled)
        .With("$password_hash", account.PasswordHash)
        .With("$totp_secret", account.SealedTotpSecret)
        .With("$totp_pending_secret", account.SealedPendingTotpSecret)
        .With("$totp_last_step", account.TotpLastStep)
        .With("$failed_logins", account.FailedLogins)
        .With("$first_failure_at", account.FirstFailureAt)
        .With("$locked_until", account.LockedUntil)
        .With("$created_at", account.CreatedAt);

    private static Account Read(SqliteDataReader row) => new(
        Id: row.GetInt64(0),
        UserName: row.GetString(1),
        DisplayName: row.GetString(2),
        Roles: (Role)row.GetInt64(3),
        Disabled: row.GetBoolean(4),
        PasswordHash: row.GetString(5),
        SealedTotpSecret: row.GetNullableBlob(6),
        SealedPendingTotpSecret: row.GetNullableBlob(7),
        TotpLastStep: row.GetInt64(8),
        FailedLogins: row.GetInt32(9),
        FirstFailureAt: row.GetNullableTime(10),
        LockedUntil: row.GetNullableTime(11),
        CreatedAt: row.GetTime(12));
}
