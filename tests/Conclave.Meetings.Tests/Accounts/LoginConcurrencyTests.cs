using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Tests.Accounts;

/// <summary>
/// Logins run concurrently (one per HTTP request), and each spends an Argon2 hash between
/// finding the account and writing what it decided. These tests hold each login right after
/// it found the account, the way a slow hash does, and check that writes made meanwhile —
/// other logins' failures, an admin's changes — are neither lost nor undone.
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
    /// Guesses sent at once each count: five parallel wrong passwords lock the account as five
    /// sequential ones do (a login counts its failure on the account as stored, one login of
    /// an account at a time, not on a copy read before the slow hashing).
    /// </summary>
    [Fact]
    public async Task Five_wrong_passwords_sent_at_once_lock_the_account()
    {
        using var allRead = new Barrier(5);
        _store.AfterFindByUserName = () => allRead.SignalAndWait(TimeSpan.FromSeconds(10));

        var guesses = Enumerable.Range(0, 5).Select(i => Task.Factory.StartNew(
            () => _h.Login("alice", $"guess number {i}", source: $"203.0.113.{i}"),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var results = await Task.WhenAll(guesses);
        Assert.All(results, r => Assert.Equal(LoginOutcome.WrongCredentials, r.Outcome));
        _store.AfterFindByUserName = null;

        Assert.Equal(LoginOutcome.LockedOut, _h.Login("alice").Outcome);
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
