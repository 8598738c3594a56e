using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
using Conclave.Storage;
using Conclave.Testing;

namespace Conclave.Cli.Tests;

/// <summary>conclavectl users: the way back in when no admin can log in, run as a process.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class UsersCommandTests : IDisposable
{
    private const string NewPassword = "a brand new password";

    // A token of its own: the reset's audit checkpoint moves the anchor kept on the token.
    private readonly string _state = DevelopmentTokenState.NewStateDirectoryWithOwnTokenCopy();
    private readonly Account _admin;

    public UsersCommandTests()
    {
        var database = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName));
        // An admin who lost their authenticator (and, under an older release, locked themselves out).
        _admin = database.Accounts.Create(new Account(0, "ada", "Ada Admin", Role.Admin, false, new PasswordHasher(new Argon2Parameters(1024, 1, 1)).Hash("forgotten password"),
            [1, 2, 3], null, 7, 5, DateTimeOffset.UtcNow, DateTimeOffset.UtcNow.AddMinutes(15), DateTimeOffset.UtcNow));
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
    }

    private (int ExitCode, string Output) Run(string? input, params string[] arguments) => Conclavectl.RunWithInput(_state, input, ["--dev", .. arguments]);

    [Fact]
    public void Reset_gives_an_admin_without_their_authenticator_a_new_password_clears_totp_and_is_audited()
    {
        var listed = Run(null, "users", "list");
        Assert.Equal(0, listed.ExitCode);
        Assert.Contains("ada", listed.Output);
        Assert.DoesNotContain("locked", listed.Output); // no account is locked any more: failures pace a name and source

        var reset = Run(NewPassword + "\n", "users", "reset", "ada");
        Assert.True(reset.ExitCode == 0, reset.Output);
        Assert.Contains("they enrol again at their next login", reset.Output);
        Assert.DoesNotContain(NewPassword, reset.Output);

        var account = ApplianceDatabase.Open(Path.Combine(_state, ApplianceDatabase.FileName)).Accounts.Find(_admin.Id)!;
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Assert.Null(account.SealedTotpSecret);
        Assert.Null(account.LockedUntil);
        Assert.False(account.Disabled);
        Assert.True(new PasswordHasher(Argon2Parameters.Default).Verify(NewPassword, account.PasswordHash));

        var verified = Run(null, "audit", "verify");
        Assert.True(verified.ExitCode == 0, verified.Output);
        var shown = Run(null, "audit", "show", "--action", AuditAction.UserReset.Name);
        Assert.Contains("user:ada", shown.Output);
        Assert.Contains("conclavectl@", shown.Output);
    }

    [Fact]
    public void Reset_refuses_while_conclaved_holds_the_state_and_refuses_a_short_password()
    {
        using (StateLock.TryAcquire(_state))
        {
            var refused = Run(NewPassword + "\n", "users", "reset", "ada");
            Assert.Equal(1, refused.ExitCode);
            Assert.Contains("in use by a running conclaved", refused.Output);
        }
        var tooShort = Run("short\n", "users", "reset", "ada");
        Assert.Equal(1, tooShort.ExitCode);
        Assert.Contains("A password has 12 to 1024 characters.", tooShort.Output);
        var unknown = Run(NewPassword + "\n", "users", "reset", "nobody");
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("No user named 'nobody'", unknown.Output);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(_state, recursive: true);
    }
}
