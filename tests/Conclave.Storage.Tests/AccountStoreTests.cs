using Conclave.Meetings;
using Conclave.Meetings.Accounts;

namespace Conclave.Storage.Tests;

public sealed class AccountStoreTests : DatabaseTest
{
    [Fact]
    public void Every_field_round_trips_with_blobs_and_times_set()
    {
        var account = Samples.Account("alice", Role.Admin | Role.Host) with
        {
            Disabled = true,
            SealedTotpSecret = [1, 2, 3, 4],
            SealedPendingTotpSecret = [9, 8, 7],
            TotpLastStep = 59_000_123,
            FailedLogins = 3,
            FirstFailureAt = Samples.Time.AddMinutes(-5),
            LockedUntil = Samples.Time.AddMinutes(15),
        };

        var created = Database.Accounts.Create(account);

        Assert.True(created.Id > 0);
        var found = Database.Accounts.Find(created.Id);
        Samples.AssertSame(created, found);
        Assert.Equal(TimeSpan.Zero, found!.CreatedAt.Offset);
        Assert.Equal(Samples.Time.ToUnixTimeMilliseconds(), found.CreatedAt.ToUnixTimeMilliseconds());
    }

    [Fact]
    public void Null_blobs_and_times_round_trip_as_null()
    {
        var created = Database.Accounts.Create(Samples.Account("bob"));

        var found = Database.Accounts.Find(created.Id);

        Samples.AssertSame(created, found);
        Assert.Null(found!.SealedTotpSecret);
        Assert.Null(found.SealedPendingTotpSecret);
        Assert.Null(found.FirstFailureAt);
        Assert.Null(found.LockedUntil);
    }

    [Fact]
    public void Role_flags_are_stored_as_their_integer_value()
    {
        Database.Accounts.Create(Samples.Account("carol", Role.Admin | Role.Host));

        Assert.Equal(9L, Scalar("SELECT roles FROM accounts"));
    }

    [Fact]
    public void Update_writes_every_field()
    {
        var created = Database.Accounts.Create(Samples.Account("dave"));
        var changed = created with
        {
            UserName = "david",
            DisplayName = "David",
            Roles = Role.SecurityOfficer,
            Disabled = true,
            PasswordHash = "$argon2id$changed",
            SealedTotpSecret = [5, 5],
            SealedPendingTotpSecret = [6],
            TotpLastStep = 42,
            FailedLogins = 2,
            FirstFailureAt = Samples.Time.AddSeconds(1),
            LockedUntil = Samples.Time.AddSeconds(2),
            CreatedAt = Samples.Time.AddDays(-1),
        };

        Database.Accounts.Update(changed);

        Samples.AssertSame(changed, Database.Accounts.Find(created.Id));
        Database.Accounts.Update(changed with { SealedTotpSecret = null, LockedUntil = null });
        var cleared = Database.Accounts.Find(created.Id)!;
        Assert.Null(cleared.SealedTotpSecret);
        Assert.Null(cleared.LockedUntil);
    }

    [Fact]
    public void A_user_name_taken_in_any_case_is_a_conflict_and_nothing_is_written()
    {
        Database.Accounts.Create(Samples.Account("alice"));

        var refused = Assert.Throws<DomainException>(() => Database.Accounts.Create(Samples.Account("ALICE", Role.Admin)));

        Assert.Equal(DomainErrorKind.Conflict, refused.Kind);
        Assert.Equal("The user name 'ALICE' is taken.", refused.Message);
        Assert.Single(Database.Accounts.List());
        Assert.False(Database.Accounts.AnyHolding(Role.Admin));
    }

    [Fact]
    public void Renaming_to_a_taken_name_is_a_conflict()
    {
        Database.Accounts.Create(Samples.Account("alice"));
        var bob = Database.Accounts.Create(Samples.Account("bob"));

        var refused = Assert.Throws<DomainException>(() => Database.Accounts.Update(bob with { UserName = "Alice" }));

        Assert.Equal(DomainErrorKind.Conflict, refused.Kind);
        Assert.Equal("bob", Database.Accounts.Find(bob.Id)!.UserName);
    }

    [Fact]
    public void Updating_an_account_that_does_not_exist_is_not_found()
    {
        var refused = Assert.Throws<DomainException>(() => Database.Accounts.Update(Samples.Account("ghost") with { Id = 404 }));

        Assert.Equal(DomainErrorKind.NotFound, refused.Kind);
        Assert.Empty(Database.Accounts.List());
    }

    [Fact]
    public void Find_by_user_name_ignores_case_and_unknown_names_find_nothing()
    {
        var created = Database.Accounts.Create(Samples.Account("Erin"));

        Assert.Equal(created.Id, Database.Accounts.FindByUserName("erin")?.Id);
        Assert.Equal(created.Id, Database.Accounts.FindByUserName("ERIN")?.Id);
        Assert.Null(Database.Accounts.FindByUserName("erin2"));
        Assert.Null(Database.Accounts.Find(created.Id + 1));
    }

    [Fact]
    public void List_returns_every_account_by_user_name()
    {
        Database.Accounts.Create(Samples.Account("zoe"));
        Database.Accounts.Create(Samples.Account("Adam"));
        Database.Accounts.Create(Samples.Account("mia"));

        Assert.Equal(["Adam", "mia", "zoe"], Database.Accounts.List().Select(a => a.UserName));
    }

    [Fact]
    public void Any_holding_looks_at_each_role_flag()
    {
        Assert.False(Database.Accounts.AnyHolding(Role.Admin));

        Database.Accounts.Create(Samples.Account("frank", Role.Host | Role.ComplianceOfficer));

        Assert.True(Database.Accounts.AnyHolding(Role.Host));
        Assert.True(Database.Accounts.AnyHolding(Role.ComplianceOfficer));
        Assert.False(Database.Accounts.AnyHolding(Role.Admin));
        Assert.False(Database.Accounts.AnyHolding(Role.Member));
        Assert.False(Database.Accounts.AnyHolding(Role.None));
    }
}
