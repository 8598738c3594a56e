using Conclave.Meetings.Accounts;

namespace Conclave.Meetings.Ports;

/// <summary>Accounts at rest. User names are unique regardless of case.</summary>
public interface IAccountStore
{
    Account? Find(long id);

    Account? FindByUserName(string userName);

    IReadOnlyList<Account> List();

    bool AnyHolding(Role role);

    /// <summary>Adds the account and returns it with its id; a taken user name throws <see cref="DomainException"/> (Conflict).</summary>
    Account Create(Account account);

    /// <summary>Writes every field of an existing account.</summary>
    void Update(Account account);
}
