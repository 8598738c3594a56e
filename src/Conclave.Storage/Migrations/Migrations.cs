using Microsoft.Data.Sqlite;

namespace Conclave.Storage;

/// <summary>
/// The schema's history, oldest first. A released step is never edited: a change is a new step,
/// so every appliance, whatever version it was installed at, ends with the same schema.
/// Times are INTEGER Unix milliseconds UTC; flags are INTEGER 0 or 1.
/// STRICT tables refuse a value of the wrong type instead of storing it silently.
/// </summary>
internal static class Migrations
{
    public static IReadOnlyList<Migration> All { get; } =
    [
        new(1, """
            CREATE TABLE accounts (
                id                  INTEGER PRIMARY KEY,
                user_name           TEXT    NOT NULL UNIQUE COLLATE NOCASE,
                display_name        TEXT    NOT NULL,
                roles               INTEGER NOT NULL,
                disabled            INTEGER NOT NULL,
                password_hash       TEXT    NOT NULL,
                totp_secret         BLOB    NULL,
                totp_pending_secret BLOB    NULL,
                totp_last_step      INTEGER NOT NULL,
                failed_logins       INTEGER NOT NULL,
                first_failure_at    INTEGER NULL,
                locked_until        INTEGER NULL,
                created_at          INTEGER NOT NULL
            ) STRICT;

            CREATE TABLE sessions (
                id_hash      BLOB    NOT NULL PRIMARY KEY,
                account_id   INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                csrf_token   TEXT    NOT NULL,
                created_at   INTEGER NOT NULL,
                last_seen_at INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX sessions_by_account ON sessions (account_id);

            PRAGMA user_version = 1;
            """),
        new(2, """
            CREATE TABLE meetings (
                id                TEXT    NOT NULL PRIMARY KEY,
                title             TEXT    NOT NULL,
                host_account_id   INTEGER NOT NULL REFERENCES accounts (id),
                starts_at         INTEGER NOT NULL,
                ends_at           INTEGER NOT NULL,
                lobby_for_members INTEGER NOT NULL,
                locked            INTEGER NOT NULL,
                ended_at          INTEGER NULL,
                created_at        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX meetings_by_host ON meetings (host_account_id);

            CREATE TABLE roster (
                meeting_id TEXT    NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
                account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (meeting_id, account_id)
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX roster_by_account ON roster (account_id);

            CREATE TABLE invitations (
                id                TEXT    NOT NULL PRIMARY KEY,
                meeting_id        TEXT    NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
                token_hash        BLOB    NOT NULL UNIQUE,
                display_name      TEXT    NOT NULL,
                expires_at        INTEGER NOT NULL,
                passcode_hash     TEXT    NULL,
                passcode_failures INTEGER NOT NULL,
                state             TEXT    NOT NULL,
                guest_pass_hash   BLOB    NULL UNIQUE,
                created_at        INTEGER NOT NULL
            ) STRICT;
            CREATE INDEX invitations_by_meeting ON invitations (meeting_id);

            CREATE TABLE barred (
                meeting_id TEXT    NOT NULL REFERENCES meetings (id) ON DELETE CASCADE,
                account_id INTEGER NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
                PRIMARY KEY (meeting_id, account_id)
            ) STRICT, WITHOUT ROWID;

            PRAGMA user_version = 2;
            """),
        new(3, """
            CREATE TABLE settings (
                key   TEXT NOT NULL PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT, WITHOUT ROWID;

            PRAGMA user_version = 3;
            """),
        new(4, """
            ALTER TABLE meetings ADD COLUMN recordable INTEGER NOT NULL DEFAULT 0;

            CREATE TABLE recordings (
                id              TEXT    NOT NULL PRIMARY KEY,
                meeting_id      TEXT    NOT NULL,
                meeting_title   TEXT    NOT NULL,
                started_by      TEXT    NOT NULL,
                scope           INTEGER NOT NULL,
                started_at      INTEGER NOT NULL,
                stopped_at      INTEGER NULL,
                ended_by        TEXT    NULL,
                bytes           INTEGER NOT NULL,
                manifest_sha256 BLOB    NULL,
                retain_until    INTEGER NOT NULL,
                legal_hold      INTEGER NOT NULL,
                shredded_at     INTEGER NULL
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX recordings_by_meeting ON recordings (meeting_id);

            PRAGMA user_version = 4;
            """),
        new(5, """
            CREATE TABLE shared_files (
                file_id                 TEXT    NOT NULL PRIMARY KEY,
                meeting_id              TEXT    NOT NULL,
                bytes                   INTEGER NOT NULL,
                uploader_participant_id TEXT    NOT NULL,
                uploader_attendee_key   TEXT    NOT NULL,
                uploaded_at             INTEGER NOT NULL,
                stored                  INTEGER NOT NULL,
                room_emptied_at         INTEGER NULL
            ) STRICT, WITHOUT ROWID;
            CREATE INDEX shared_files_by_meeting ON shared_files (meeting_id);

            PRAGMA user_version = 5;
            """),
    ];

    public static int Latest => All[^1].Version;

    public static int CurrentVersion(SqliteConnection connection)
    {
        using var command = connection.Command("PRAGMA user_version");
        return Convert.ToInt32(command.ExecuteScalar());
    }

    /// <summary>Applies every step up to <paramref name="version"/> that the file lacks, each in its own transaction.</summary>
    internal static void ApplyUpTo(SqliteConnection connection, int version)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(version, Latest);
        foreach (var migration in All.Where(m => m.Version <= version))
        {
            // BEGIN IMMEDIATE takes the write lock before the version is read, so two processes
            // opening the same file cannot both apply a step.
            using var transaction = connection.BeginTransaction(deferred: false);
            if (CurrentVersion(connection) >= migration.Version) continue;
            using (var command = connection.Command(migration.Sql)) command.ExecuteNonQuery();
            transaction.Commit();
        }
    }
}
