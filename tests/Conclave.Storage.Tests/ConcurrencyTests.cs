namespace Conclave.Storage.Tests;

public sealed class ConcurrencyTests : DatabaseTest
{
    private const int Threads = 8;
    private const int Rounds = 200;

    [Fact]
    public void Threads_updating_and_reading_accounts_at_once_all_succeed()
    {
        var ids = Enumerable.Range(0, Threads).Select(i => Database.Accounts.Create(Samples.Account($"user{i}")).Id).ToArray();
        // A second instance on the same file, as a second process would have.
        var other = ApplianceDatabase.Open(DatabasePath);
        using var start = new Barrier(Threads);
        var failures = new System.Collections.Concurrent.ConcurrentQueue<Exception>();

        var threads = ids.Select((id, i) => new Thread(() =>
        {
            var database = i % 2 == 0 ? Database : other;
            try
            {
                start.SignalAndWait();
                for (int round = 1; round <= Rounds; round++)
                {
                    var account = database.Accounts.Find(id)!;
                    database.Accounts.Update(account with { FailedLogins = round, LockedUntil = Samples.Time.AddSeconds(round) });
                    Assert.Equal(round, database.Accounts.Find(id)!.FailedLogins);
                    Assert.Equal(Threads, database.Accounts.List().Count);
                }
            }
            catch (Exception e)
            {
                failures.Enqueue(e);
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());

        Assert.Empty(failures);
        Assert.All(ids, id => Assert.Equal(Rounds, Database.Accounts.Find(id)!.FailedLogins));
    }
}
