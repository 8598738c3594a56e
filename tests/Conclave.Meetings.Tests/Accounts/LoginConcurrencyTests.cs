using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Tests.Accounts;

/// <summary>
/// Logins run concurrently (one per HTTP request), and Login reads the account, spends an
/// Argon2 hash, then writes the account. These tests send tries at once, or hold a login right
/// after its read the way a slow hash does, to show what happens to tries and writes made meanwhile.
/// </summary>
public sealed class LoginConcurrencyTests : IDisposable
{
    private readonly PausingAccountStore _store;
    private readonly DomainHarness _h;
    private readonly Account _admin;
    private readonly Account _alice;

    public LoginConcurrencyTests()
    {
        PausingAccountStore? store = null;
        _h = new DomainHarness(inner => store = new PausingAccountStore(inner));
        _store = store!;
        _admin = _h.NewAccount("root", Role.Admin);
        _alice = _h.NewAccount("alice", Role.Member);
    }

    public void Dispose() => _h.Dispose();

    /// <summary>
    /// Guesses sent at once each count before any password is hashed: forty tries of one name
    /// from one source check five, and the rest answer exactly as a wrong password does.
    /// </summary>
    [Fact]
    public async Task Forty_tries_of_one_name_sent_at_once_from_one_source_check_only_five()
    {
        int lookedUp = 0;
        _store.AfterFindByUserName = () => Interlocked.Increment(ref lookedUp);
        using var start = new Barrier(40);

        var guesses = Enumerable.Range(0, 40).Select(i => Task.Factory.StartNew(
            () =>
            {
                start.SignalAndWait(TimeSpan.FromSeconds(10));
                return _h.Login("alice", $"guess number {i}", source: "203.0.113.9");
            },
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var results = await Task.WhenAll(guesses);

        Assert.All(results, r => Assert.Equal((LoginOutcome.WrongCredentials, AccountService.RefusedMessage), (r.Outcome, r.Message)));
        Assert.Equal(5, lookedUp);
        Assert.Equal(35, _h.Audit.Records.Count(r => r.Outcome.StartsWith("refused: not checked", StringComparison.Ordinal)));
    }

    /// <summary>
    /// An admin's "disable" made while a login's password is being checked stays: a
    /// successful login writes back the account as stored, not a copy read before the
    /// hashing (the same holds for a password reset or a change of roles).
    /// </summary>
    [Fact]
    public void An_account_disabled_while_its_login_is_checked_stays_disabled()
    {
        _store.AfterFindByUserName = () =>
        {
            _store.AfterFindByUserName = null;
            _h.Accounts.SetDisabled(_admin, _alice.Id, true);
        };

        _h.Login("alice");

        Assert.True(_h.Reload(_alice).Disabled);
    }

    /// <summary>The real store, with a hook run after each look-up by user name.</summary>
    private sealed class PausingAccountStore(IAccountStore inner) : IAccountStore
    {
        public Action? AfterFindByUserName { get; set; }

        public Account? FindByUserName(string userName)
        {
            var account = inner.FindByUserName(userName);
            AfterFindByUserName?.Invoke();
            return account;
        }

        public Account? Find(long id) => inner.Find(id);
        public IReadOnlyList<Account> List() => inner.List();
        public bool AnyHolding(Role role) => inner.AnyHolding(role);
        public Account Create(Account account) => inner.Create(account);
        public void Update(Account account) => inner.Update(account);
    }
}
