using Conclave.Meetings.Accounts;

namespace Conclave.Storage.Tests;

public sealed class SessionStoreTests : DatabaseTest
{
    private readonly long _alice;
    private readonly long _bob;

    public SessionStoreTests()
    {
        _alice = Database.Accounts.Create(Samples.Account("alice")).Id;
        _bob = Database.Accounts.Create(Samples.Account("bob")).Id;
    }

    private ConsoleSession NewSession(byte id, long accountId) =>
        new(Samples.Hash(id), accountId, $"csrf-{id}", Samples.Time, Samples.Time.AddSeconds(id));

    [Fact]
    public void Every_field_round_trips()
    {
        var session = NewSession(1, _alice);
        Database.Sessions.Create(session);

        var found = Database.Sessions.Find(Samples.Hash(1));

        Assert.NotNull(found);
        Assert.Equal(session.IdHash, found.IdHash);
        Assert.Equal(session with { IdHash = found.IdHash }, found);
        Assert.Null(Database.Sessions.Find(Samples.Hash(2)));
    }

    [Fact]
    public void Touch_moves_only_the_last_seen_time()
    {
        var session = NewSession(1, _alice);
        Database.Sessions.Create(session);
        var later = Samples.Time.AddMinutes(10).AddMilliseconds(7);

        Database.Sessions.Touch(Samples.Hash(1), later);

        var found = Database.Sessions.Find(Samples.Hash(1))!;
        Assert.Equal(later, found.LastSeenAt);
        Assert.Equal(session.CreatedAt, found.CreatedAt);
        Assert.Equal(session.CsrfToken, found.CsrfToken);
    }

    [Fact]
    public void Delete_ends_only_that_session()
    {
        Database.Sessions.Create(NewSession(1, _alice));
        Database.Sessions.Create(NewSession(2, _alice));

        Database.Sessions.Delete(Samples.Hash(1));

        Assert.Null(Database.Sessions.Find(Samples.Hash(1)));
        Assert.NotNull(Database.Sessions.Find(Samples.Hash(2)));
    }

    [Fact]
    public void Delete_for_account_ends_every_session_of_that_account_only()
    {
        Database.Sessions.Create(NewSession(1, _alice));
        Database.Sessions.Create(NewSession(2, _alice));
        Database.Sessions.Create(NewSession(3, _bob));

        Database.Sessions.DeleteForAccount(_alice);

        Assert.Null(Database.Sessions.Find(Samples.Hash(1)));
        Assert.Null(Database.Sessions.Find(Samples.Hash(2)));
        Assert.NotNull(Database.Sessions.Find(Samples.Hash(3)));
    }
}
