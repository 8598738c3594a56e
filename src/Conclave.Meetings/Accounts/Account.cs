using Conclave.Meetings.Audit;

namespace Conclave.Meetings.Accounts;

/// <summary>A person who logs in to the console. The store holds it; <see cref="AccountService"/> changes it.</summary>
/// <param name="PasswordHash">Argon2id in PHC string form (<see cref="PasswordHasher"/>).</param>
/// <param name="SealedTotpSecret">The enrolled TOTP seed, sealed by the token (<see cref="Ports.ISecretProtector"/>); null before enrolment.</param>
/// <param name="SealedPendingTotpSecret">A seed shown for enrolment and not yet confirmed with a code.</param>
/// <param name="TotpLastStep">The last accepted RFC 6238 time step: a code is never accepted twice.</param>
/// <param name="FailedLogins">Failures since <paramref name="FirstFailureAt"/>, inside the throttling window.</param>
public sealed record Account(
    long Id,
    string UserName,
    string DisplayName,
    Role Roles,
    bool Disabled,
    string PasswordHash,
    byte[]? SealedTotpSecret,
    byte[]? SealedPendingTotpSecret,
    long TotpLastStep,
    int FailedLogins,
    DateTimeOffset? FirstFailureAt,
    DateTimeOffset? LockedUntil,
    DateTimeOffset CreatedAt)
{
    public bool HasSecondFactor => SealedTotpSecret is not null;

    /// <summary>An admin, security or compliance account without TOTP may do nothing but enrol.</summary>
    public bool MustEnrolSecondFactor => Accounts.Roles.RequiresSecondFactor(Roles) && !HasSecondFactor;

    public bool Holds(Role role) => (Roles & role) != 0;

    public string AuditName => AuditActor.User(this).Text;
}
