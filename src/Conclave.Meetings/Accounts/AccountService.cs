using System.Security.Cryptography;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Accounts;

/// <summary>
/// Accounts and console sessions: the first admin, logins with throttling and TOTP, and
/// what admins do to users. Every decision is written to the audit trail.
/// </summary>
public sealed class AccountService
{
    /// <summary>
    /// The one answer to every refused login but the per-source throttle's: a wrong name, a
    /// wrong password or code, and a name paused from this source all read the same.
    /// </summary>
    public const string RefusedMessage = "Wrong user name, password or code, or tried again too soon after failed tries: wait a little longer before each new try.";

    private const string TotpIssuer = "Conclave";

    private static readonly LoginResult Refused = new(LoginOutcome.WrongCredentials, null, RefusedMessage);

    private readonly IAccountStore _accounts;
    private readonly ISessionStore _sessions;
    private readonly ISettingsStore _settings;
    private readonly IAuditTrail _audit;
    private readonly ISecretProtector _secrets;
    private readonly PasswordHasher _hasher;
    private readonly TotpAuthenticator _totp;
    private readonly TimeProvider _time;
    private readonly LoginPolicy _policy;
    private readonly SourceThrottle _sourceThrottle;
    private readonly NameThrottle _nameThrottle;
    private readonly Lazy<string> _unknownUserHash;
    private readonly CredentialReset _reset;
    private readonly Lock[] _accountLocks = Enumerable.Range(0, 64).Select(_ => new Lock()).ToArray();

    public AccountService(IAccountStore accounts, ISessionStore sessions, ISettingsStore settings, IAuditTrail audit, ISecretProtector secrets,
        PasswordHasher hasher, TimeProvider time, LoginPolicy? policy = null)
    {
        _accounts = accounts;
        _sessions = sessions;
        _settings = settings;
        _audit = audit;
        _secrets = secrets;
        _hasher = hasher;
        _time = time;
        _totp = new TotpAuthenticator(time);
        _policy = policy ?? new LoginPolicy();
        _sourceThrottle = new SourceThrottle(_policy, time);
        _nameThrottle = new NameThrottle(_policy, time);
        _reset = new CredentialReset(accounts, sessions, audit, hasher);
        // An unknown user name costs one hash too, so timing does not tell which names exist.
        _unknownUserHash = new Lazy<string>(() => _hasher.Hash(Convert.ToHexString(RandomNumberGenerator.GetBytes(16))));
    }

    public FirstAdminSetup Setup { get; } = new();

    public bool AdminExists => _accounts.AnyHolding(Role.Admin);

    /// <summary>Creates the first admin with the one-time setup token; the admin enrols TOTP next.</summary>
    public Account CreateFirstAdmin(string? setupToken, string? userName, string? displayName, string? password, string source)
    {
        if (AdminExists || !Setup.TryConsume(setupToken))
        {
            _audit.FirstAdminRefused(source);
            throw DomainException.Gone("This setup link is not valid any more: an admin exists, or the daemon was restarted (it prints a new link while no admin exists).");
        }
        try
        {
            var admin = NewAccount(userName, displayName, password, Role.Admin);
            _audit.FirstAdminCreated(source, admin);
            return admin;
        }
        catch (DomainException)
        {
            // A mistyped form must not burn the one-time link.
            Setup.Reopen(setupToken!);
            throw;
        }
    }

    public LoginResult Login(string? userName, string? password, string? code, string source)
    {
        string name = (userName ?? "").Trim().ToLowerInvariant();
        var actor = AuditActor.Claiming(name, source);
        if (_sourceThrottle.IsBlocked(source))
        {
            _audit.LoginThrottled(actor);
            return new LoginResult(LoginOutcome.Throttled, null, $"Too many failed logins from your address; try again in {_policy.FailureWindow.TotalMinutes:0} minutes.");
        }
        // Counted before anything is looked up or hashed, for names that exist and names that
        // do not alike: the answer below is the same whether the name exists, the password is
        // wrong or the pair must wait, so it reveals neither the account nor the pause.
        if (!_nameThrottle.TryCount(name, source, out var notBefore))
        {
            _audit.LoginNotChecked(actor, notBefore);
            return Refused;
        }
        var now = _time.GetUtcNow();
        DateTimeOffset? throttledUntil = notBefore > now ? notBefore : null;
        var found = name.Length is > 0 and <= Validation.MaxUserNameLength ? _accounts.FindByUserName(name) : null;
        if (found is null)
        {
            _hasher.Verify(password ?? "", _unknownUserHash.Value);
            _sourceThrottle.RecordFailure(source);
            _audit.LoginUnknownUser(actor, throttledUntil);
            return Refused;
        }
        // One login of an account at a time, reading it afresh: an admin's change made
        // meanwhile (disable) is never overwritten, and a TOTP code is used once.
        lock (LockFor(found.Id))
        {
            return LoginLocked(found.Id, name, password, code, source, actor, throttledUntil);
        }
    }

    private LoginResult LoginLocked(long accountId, string name, string? password, string? code, string source, AuditActor actor, DateTimeOffset? throttledUntil)
    {
        var account = _accounts.Find(accountId);
        if (account is null) return Refused;
        if (!_hasher.Verify(password ?? "", account.PasswordHash) || !SecondFactorAccepted(ref account, code))
        {
            _sourceThrottle.RecordFailure(source);
            _audit.LoginWrongCredentials(actor, throttledUntil);
            return Refused;
        }
        if (account.Disabled)
        {
            _audit.LoginDisabled(actor);
            return new LoginResult(LoginOutcome.Disabled, null, "This account is disabled; ask an administrator.");
        }
        _nameThrottle.Forget(name, source);
        // Failures are not counted per account (docs/decisions.md); a count or lock an
        // earlier version stored is cleared here.
        account = account with { FailedLogins = 0, FirstFailureAt = null, LockedUntil = null };
        if (_hasher.NeedsRehash(account.PasswordHash)) account = account with { PasswordHash = _hasher.Hash(password!) };
        _accounts.Update(account);
        _audit.LoggedIn(actor, account.MustEnrolSecondFactor);
        return new LoginResult(LoginOutcome.Succeeded, account, "Welcome.");
    }

    /// <summary>Striped: changes to one account (logins, admin actions) happen one at a time.</summary>
    private Lock LockFor(long accountId) => _accountLocks[(int)((ulong)accountId % (ulong)_accountLocks.Length)];

    private bool SecondFactorAccepted(ref Account account, string? code)
    {
        if (account.SealedTotpSecret is null) return true;
        if (!TotpCodeAccepted(account.SealedTotpSecret, $"TOTP seed of {account.AuditName}", code, account.TotpLastStep, out long step)) return false;
        account = account with { TotpLastStep = step };
        return true;
    }

    /// <summary>Whether <paramref name="code"/> is a fresh code of the sealed seed (RFC 6238 §5.2: never one at or before <paramref name="lastStep"/>).</summary>
    private bool TotpCodeAccepted(byte[] sealedSecret, string what, string? code, long lastStep, out long step)
    {
        byte[] secret = _secrets.Unprotect(sealedSecret, what);
        try
        {
            return _totp.TryVerify(secret, code ?? "", lastStep, out step);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    // ---- sessions ----------------------------------------------------------------

    public StartedSession StartSession(Account account)
    {
        string cookie = RandomToken.New(out byte[] idHash);
        var now = _time.GetUtcNow();
        var session = new ConsoleSession(idHash, account.Id, RandomToken.New(out _), now, now);
        _sessions.Create(session);
        return new StartedSession(cookie, session);
    }

    /// <summary>The account and session behind a cookie, or null for a forged, altered, expired or disabled one.</summary>
    public (Account Account, ConsoleSession Session)? Authenticate(string? cookieValue)
    {
        if (RandomToken.HashOf(cookieValue) is not { } idHash) return null;
        var session = _sessions.Find(idHash);
        if (session is null) return null;
        var now = _time.GetUtcNow();
        var idle = TimeSpan.FromMinutes(_settings.Get().SessionIdleMinutes);
        var account = _accounts.Find(session.AccountId);
        if (account is null || account.Disabled || now - session.LastSeenAt > idle || now - session.CreatedAt > _policy.SessionAbsoluteLifetime)
        {
            _sessions.Delete(idHash);
            return null;
        }
        // Touch at most once a minute: a page with several requests writes once.
        if (now - session.LastSeenAt > TimeSpan.FromMinutes(1)) _sessions.Touch(idHash, now);
        return (account, session);
    }

    public void Logout(ConsoleSession session, Account account)
    {
        _sessions.Delete(session.IdHash);
        _audit.LoggedOut(account);
    }

    // ---- TOTP enrolment -------------------------------------------------------------

    /// <summary>A new seed to enrol, kept pending: how the account logs in changes only when it is confirmed.</summary>
    public TotpEnrolment BeginTotpEnrolment(Account account)
    {
        byte[] secret = TotpAuthenticator.NewSecret();
        try
        {
            byte[] sealedSecret = _secrets.Protect(secret);
            // The session's copy of the account may be stale (a failed login since): write onto a fresh read.
            using (LockFor(account.Id).EnterScope())
            {
                _accounts.Update(Existing(account.Id) with { SealedPendingTotpSecret = sealedSecret });
            }
            string uri = TotpAuthenticator.ProvisioningUri(TotpIssuer, account.UserName, secret);
            return new TotpEnrolment(TotpAuthenticator.ToBase32(secret), uri, TotpEnrolmentQr.PngDataUri(uri));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    /// <summary>
    /// Confirms the pending seed with a code from the new app; the seed then replaces any
    /// earlier one. It takes the account's password every time, and when an authenticator is
    /// enrolled already a fresh code from that one too, so a session left open or stolen cannot
    /// bind another authenticator to the account (docs/decisions.md). Tries are counted and
    /// paced with the logins of this account's name from <paramref name="source"/>, before the
    /// password is hashed.
    /// </summary>
    public Account ConfirmTotpEnrolment(Account account, string? password, string? currentCode, string? newCode, string source)
    {
        using var scope = LockFor(account.Id).EnterScope();
        var current = Pending(account);
        if (!_nameThrottle.TryCount(current.UserName, source, out var notBefore))
        {
            _audit.TotpEnrolmentNotChecked(current, notBefore);
            throw DomainException.Invalid($"Too many wrong tries: the next one is checked from {notBefore:HH:mm:ss} UTC on.");
        }
        bool replacing = current.HasSecondFactor;
        long lastStep = current.TotpLastStep;
        if (!_hasher.Verify(password ?? "", current.PasswordHash)
            || replacing && !TotpCodeAccepted(current.SealedTotpSecret!, $"TOTP seed of {current.AuditName}", currentCode, current.TotpLastStep, out lastStep))
        {
            _audit.TotpEnrolmentUnauthenticated(current, replacing);
            throw DomainException.Invalid(replacing
                ? "That is not your password, or not a fresh code from the authenticator you use now."
                : "That is not your password.");
        }
        _nameThrottle.Forget(current.UserName, source);
        if (lastStep != current.TotpLastStep)
        {
            // The current code is spent (RFC 6238 §5.2), whatever becomes of the new one.
            current = current with { TotpLastStep = lastStep };
            _accounts.Update(current);
        }
        return Enrol(current, newCode);
    }

    /// <summary>The account as stored, with a seed shown for enrolment.</summary>
    private Account Pending(Account account)
    {
        var current = Existing(account.Id);
        if (current.SealedPendingTotpSecret is null) throw DomainException.Invalid("Start the enrolment first: no code was shown to confirm.");
        return current;
    }

    /// <summary>
    /// Makes the pending seed the account's, if <paramref name="code"/> is its current code; under
    /// the account's lock. No code of the new seed was used before, whatever step the old one
    /// reached; from now on none at or before this one is accepted.
    /// </summary>
    private Account Enrol(Account current, string? code)
    {
        if (!TotpCodeAccepted(current.SealedPendingTotpSecret!, $"pending TOTP seed of {current.AuditName}", code, lastStep: 0, out long step))
        {
            _audit.TotpEnrolmentRefused(current);
            throw DomainException.Invalid("That code does not match: check the device's clock and enter the current 6-digit code.");
        }
        var enrolled = current with { SealedTotpSecret = current.SealedPendingTotpSecret, SealedPendingTotpSecret = null, TotpLastStep = Math.Max(step, current.TotpLastStep) };
        _accounts.Update(enrolled);
        _audit.TotpEnrolled(current, replaced: current.HasSecondFactor);
        return enrolled;
    }

    // ---- what admins do ---------------------------------------------------------------

    public IReadOnlyList<Account> List(Account actor)
    {
        RequireAdmin(actor, "list users");
        return _accounts.List();
    }

    public Account CreateAccount(Account actor, string? userName, string? displayName, string? password, Role roles)
    {
        RequireAdmin(actor, "create users");
        var account = NewAccount(userName, displayName, password, roles);
        _audit.UserCreated(actor, account);
        return account;
    }

    public Account SetRoles(Account actor, long accountId, Role roles)
    {
        RequireAdmin(actor, "change roles");
        using var scope = LockFor(accountId).EnterScope();
        var account = Existing(accountId);
        if (!Roles.AreValid(roles)) throw DomainException.Invalid("An account needs at least one role, and only known ones.");
        if (account.Id == actor.Id && !roles.HasFlag(Role.Admin)) throw DomainException.Invalid("You cannot take the admin role from yourself.");
        var updated = account with { Roles = roles };
        _accounts.Update(updated);
        _sessions.DeleteForAccount(account.Id);
        _audit.RolesChanged(actor, updated);
        return updated;
    }

    public Account SetDisabled(Account actor, long accountId, bool disabled)
    {
        RequireAdmin(actor, "disable users");
        using var scope = LockFor(accountId).EnterScope();
        var account = Existing(accountId);
        if (account.Id == actor.Id) throw DomainException.Invalid("You cannot disable your own account.");
        var updated = account with { Disabled = disabled };
        _accounts.Update(updated);
        if (disabled) _sessions.DeleteForAccount(account.Id);
        if (disabled) _audit.UserDisabled(actor, account);
        else _audit.UserEnabled(actor, account);
        return updated;
    }

    /// <summary>A new password set by an admin; it also clears the TOTP enrolment (the user enrols again) and every pause on the name.</summary>
    public Account ResetPassword(Account actor, long accountId, string? newPassword)
    {
        RequireAdmin(actor, "reset passwords");
        using var scope = LockFor(accountId).EnterScope();
        var reset = _reset.Reset(Existing(accountId), newPassword, AuditActor.User(actor));
        _nameThrottle.ForgetName(reset.UserName);
        return reset;
    }

    private Account NewAccount(string? userName, string? displayName, string? password, Role roles)
    {
        string name = Validation.UserName(userName);
        string display = Validation.DisplayName(displayName);
        if (!Roles.AreValid(roles)) throw DomainException.Invalid("An account needs at least one role, and only known ones.");
        if (_accounts.FindByUserName(name) is not null) throw DomainException.Conflict($"The user name '{name}' is taken.");
        return _accounts.Create(new Account(0, name, display, roles, false, _reset.HashChecked(password), null, null, 0, 0, null, null, _time.GetUtcNow()));
    }

    private Account Existing(long accountId) => _accounts.Find(accountId) ?? throw DomainException.NotFound("No such account.");

    private void RequireAdmin(Account actor, string what)
    {
        if (actor.Holds(Role.Admin)) return;
        _audit.AdminOnlyRefused(actor, what);
        throw DomainException.Forbidden($"Only an admin may {what}.");
    }
}
