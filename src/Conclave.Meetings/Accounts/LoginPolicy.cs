namespace Conclave.Meetings.Accounts;

/// <summary>
/// Throttling and lockout (docs/accounts.md): after <see cref="MaxFailures"/> failed logins
/// of one account within <see cref="FailureWindow"/>, the account is locked for
/// <see cref="LockoutDuration"/>; while locked, an attempt is refused before its password
/// is hashed, so guessing costs the attacker time and the appliance nothing. One source
/// address is refused the same way after <see cref="MaxFailuresPerSource"/> failures across
/// accounts (spraying one password over many accounts).
/// </summary>
public sealed record LoginPolicy
{
    public int MaxFailures { get; init; } = 5;
    public TimeSpan FailureWindow { get; init; } = TimeSpan.FromMinutes(15);
    public TimeSpan LockoutDuration { get; init; } = TimeSpan.FromMinutes(15);
    public int MaxFailuresPerSource { get; init; } = 30;

    /// <summary>A session ends when unused this long, whatever the idle setting says.</summary>
    public TimeSpan SessionAbsoluteLifetime { get; init; } = TimeSpan.FromHours(12);
}
