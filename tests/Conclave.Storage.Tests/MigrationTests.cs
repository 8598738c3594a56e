using System.Security.Cryptography;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Scheduling;
using Conclave.Meetings.Settings;
using Microsoft.Data.Sqlite;

namespace Conclave.Storage.Tests;

public sealed class MigrationTests : IDisposable
{
    private readonly TemporaryDirectory _directory = new();

    private string DatabasePath => _directory.File("conclave.db");

    /// <summary>
    /// A file at an older schema, as an earlier release left it, filled with plain SQL that may use
    /// $time (<see cref="Samples.Time"/>), $later (an hour after), $secret and $hash.
    /// </summary>
    private void CreateAtVersion(int version, string fillSql = "")
    {
        using var connection = PlainSql.Connect(DatabasePath);
        Migrations.ApplyUpTo(connection, version);
        if (fillSql.Length == 0) return;
        using var command = connection.CreateCommand();
        command.CommandText = fillSql;
        command.Parameters.AddWithValue("$time", Samples.Time.ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$later", Samples.Time.AddHours(1).ToUnixTimeMilliseconds());
        command.Parameters.AddWithValue("$secret", new byte[] { 1, 2, 3 });
        command.Parameters.AddWithValue("$hash", Samples.Hash(5));
        command.ExecuteNonQuery();
    }

    private object? Scalar(string sql) => PlainSql.Scalar(DatabasePath, sql);

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    public void Each_step_records_its_own_version(int version)
    {
        CreateAtVersion(version);

        Assert.Equal((long)version, Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void A_version_1_database_upgrades_with_its_accounts_and_sessions_intact()
    {
        CreateAtVersion(1, """
            INSERT INTO accounts (id, user_name, display_name, roles, disabled, password_hash, totp_secret, totp_pending_secret,
                                  totp_last_step, failed_logins, first_failure_at, locked_until, created_at)
            VALUES (7, 'alice', 'Alice', 9, 0, '$argon2id$x', $secret, NULL, 1234, 1, $time, NULL, $time);
            INSERT INTO sessions (id_hash, account_id, csrf_token, created_at, last_seen_at) VALUES ($hash, 7, 'csrf', $time, $time);
            """);

        var database = ApplianceDatabase.Open(DatabasePath);

        Assert.Equal(Migrations.Latest, database.SchemaVersion);
        var alice = database.Accounts.FindByUserName("ALICE");
        Assert.NotNull(alice);
        Assert.Equal(7, alice.Id);
        Assert.Equal(Role.Admin | Role.Host, alice.Roles);
        Assert.Equal([1, 2, 3], alice.SealedTotpSecret);
        Assert.Null(alice.SealedPendingTotpSecret);
        Assert.Equal(1234, alice.TotpLastStep);
        Assert.Equal(1, alice.FailedLogins);
        Assert.Equal(Samples.Time, alice.FirstFailureAt);
        Assert.Null(alice.LockedUntil);
        Assert.Equal(Samples.Time, alice.CreatedAt);
        var session = database.Sessions.Find(Samples.Hash(5));
        Assert.NotNull(session);
        Assert.Equal(7, session.AccountId);
        Assert.Equal("csrf", session.CsrfToken);
        Assert.Equal(Samples.Time, session.LastSeenAt);
        Assert.Equal(ApplianceSettings.Defaults, database.Settings.Get());
    }

    [Fact]
    public void A_version_2_database_upgrades_with_its_meetings_intact()
    {
        CreateAtVersion(2, """
            INSERT INTO accounts (id, user_name, display_name, roles, disabled, password_hash, totp_last_step, failed_logins, created_at)
            VALUES (1, 'host', 'Host', 8, 0, 'h', 0, 0, $time), (2, 'member', 'Member', 16, 0, 'h', 0, 0, $time);
            INSERT INTO meetings (id, title, host_account_id, starts_at, ends_at, lobby_for_members, locked, ended_at, created_at)
            VALUES ('m1', 'Board', 1, $time, $later, 1, 0, NULL, $time);
            INSERT INTO roster (meeting_id, account_id) VALUES ('m1', 2);
            INSERT INTO invitations (id, meeting_id, token_hash, display_name, expires_at, passcode_hash, passcode_failures, state,
                                     guest_pass_hash, created_at)
            VALUES ('i1', 'm1', $hash, 'Guest', $time, NULL, 0, 'Redeemed', $secret, $time);
            INSERT INTO barred (meeting_id, account_id) VALUES ('m1', 1);
            """);

        var database = ApplianceDatabase.Open(DatabasePath);

        Assert.Equal(Migrations.Latest, database.SchemaVersion);
        Assert.Equal(
            new Meeting("m1", "Board", 1, Samples.Time, Samples.Time.AddHours(1), true, false, null, Samples.Time),
            database.Meetings.Find("m1"));
        Assert.Equal([2L], database.Meetings.Roster("m1"));
        Assert.Equal(["m1"], database.Meetings.ListWithMember(2).Select(m => m.Id));
        var invitation = database.Meetings.FindInvitationByToken(Samples.Hash(5));
        Assert.NotNull(invitation);
        Assert.Equal(InvitationState.Redeemed, invitation.State);
        Assert.Equal("i1", database.Meetings.FindInvitationByGuestPass([1, 2, 3])?.Id);
        Assert.True(database.Meetings.IsBarred("m1", 1));
    }

    [Fact]
    public void Opening_twice_changes_nothing()
    {
        var first = ApplianceDatabase.Open(DatabasePath);
        var alice = first.Accounts.Create(Samples.Account("alice"));

        var second = ApplianceDatabase.Open(DatabasePath);

        Assert.Equal(Migrations.Latest, second.SchemaVersion);
        Samples.AssertSame(alice, second.Accounts.Find(alice.Id));
        Assert.Single(second.Accounts.List());
    }

    [Fact]
    public void A_step_that_fails_is_not_half_applied()
    {
        // A table in the way of the second step's second table: the first must not stay behind.
        CreateAtVersion(1, "CREATE TABLE roster (x INTEGER);");

        Assert.ThrowsAny<SqliteException>(() => ApplianceDatabase.Open(DatabasePath));

        Assert.Equal(1L, Scalar("PRAGMA user_version"));
        Assert.Equal(0L, Scalar("SELECT count(*) FROM sqlite_schema WHERE name = 'meetings'"));
    }

    [Fact]
    public void A_schema_newer_than_this_release_is_refused_naming_the_file()
    {
        CreateAtVersion(3);
        Scalar("PRAGMA user_version = 99");

        var refused = Assert.Throws<InvalidDataException>(() => ApplianceDatabase.Open(DatabasePath));

        Assert.Contains(DatabasePath, refused.Message);
        Assert.Contains("99", refused.Message);
        Assert.Equal(99L, Scalar("PRAGMA user_version"));
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_refused_naming_the_file()
    {
        File.WriteAllBytes(DatabasePath, RandomNumberGenerator.GetBytes(8192));

        var refused = Assert.Throws<InvalidDataException>(() => ApplianceDatabase.Open(DatabasePath));

        Assert.Contains(DatabasePath, refused.Message);
    }

    [Fact]
    public void A_missing_directory_is_refused()
    {
        Assert.Throws<DirectoryNotFoundException>(() => ApplianceDatabase.Open(_directory.File("missing/conclave.db")));
    }

    [Fact]
    public void A_new_database_uses_write_ahead_logging()
    {
        ApplianceDatabase.Open(DatabasePath);

        Assert.Equal("wal", Scalar("PRAGMA journal_mode"));
        Assert.True(File.Exists(DatabasePath));
    }

    public void Dispose() => _directory.Dispose();
}
