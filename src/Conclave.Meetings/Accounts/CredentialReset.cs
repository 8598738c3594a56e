using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Accounts;

/// <summary>
/// Gives an account fresh credentials: a new password, no TOTP (the user enrols again), no
/// stored failure count, every session ended. Admins do it from the console; when no admin can log in
/// any more (a lost authenticator), the operator on the box does it with
/// <c>conclavectl users reset</c>, which also enables the account.
/// </summary>
public sealed class CredentialReset(IAccountStore accounts, ISessionStore sessions, IAuditTrail audit, PasswordHasher hasher)
{
    public Account Reset(Account account, string? newPassword, AuditActor actor, bool enable = false)
    {
        var updated = account with
        {
            PasswordHash = HashChecked(newPassword),
            SealedTotpSecret = null,
            SealedPendingTotpSecret = null,
            FailedLogins = 0,
            FirstFailureAt = null,
            LockedUntil = null,
            Disabled = !enable && account.Disabled,
        };
        accounts.Update(updated);
        sessions.DeleteForAccount(account.Id);
        audit.CredentialsReset(actor, account, enable);
        return updated;
    }

    /// <summary>The operator's reset on the box, by user name.</summary>
    public Account ResetByOperator(string? userName, string? newPassword, AuditActor actor)
    {
        var account = accounts.FindByUserName((userName ?? "").Trim().ToLowerInvariant())
            ?? throw DomainException.NotFound($"No user named '{userName}'.");
        return Reset(account, newPassword, actor, enable: true);
    }

    /// <summary>The password rule, then Argon2id.</summary>
    public string HashChecked(string? password)
    {
        if (password is null || password.Length < PasswordHasher.MinPasswordLength || password.Length > PasswordHasher.MaxPasswordLength)
        {
            throw DomainException.Invalid($"A password has {PasswordHasher.MinPasswordLength} to {PasswordHasher.MaxPasswordLength} characters.");
        }
        return hasher.Hash(password);
    }
}
