using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Audit;

/// <summary>
/// The audit vocabulary: one typed event per thing the log records, each writing its
/// <see cref="AuditAction"/> with the actor, object and outcome in their wire forms. One
/// file per area, as the events of a server's trace are declared.
/// </summary>
public static partial class AuditEvents
{
    public static void FirstAdminRefused(this IAuditTrail audit, string source) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.SetupFirstAdmin, AuditObject.Appliance, AuditOutcome.Refused("invalid or used setup link"));

    public static void FirstAdminCreated(this IAuditTrail audit, string source, Account admin) =>
        audit.Record(AuditActor.Anonymous(source), AuditAction.SetupFirstAdmin, AuditObject.Of(admin), AuditOutcome.Ok);

    /// <param name="claimant">Who the form claims to be (<see cref="AuditActor.Claiming"/>).</param>
    public static void LoginThrottled(this IAuditTrail audit, AuditActor claimant) =>
        audit.RecordLogin(claimant, AuditOutcome.Refused("too many failures from this address"));

    /// <param name="throttledUntil">When this try used the name's allowance from this source: its next try is checked from then on.</param>
    public static void LoginUnknownUser(this IAuditTrail audit, AuditActor claimant, DateTimeOffset? throttledUntil) =>
        audit.RecordLogin(claimant, Throttled("unknown user", throttledUntil));

    /// <summary>Refused without checking anything: this name from this source must wait until <paramref name="throttledUntil"/>.</summary>
    public static void LoginNotChecked(this IAuditTrail audit, AuditActor claimant, DateTimeOffset throttledUntil) =>
        audit.RecordLogin(claimant, AuditOutcome.RefusedUntil("not checked, throttled", throttledUntil));

    /// <param name="throttledUntil">When this try used the name's allowance from this source: its next try is checked from then on.</param>
    public static void LoginWrongCredentials(this IAuditTrail audit, AuditActor claimant, DateTimeOffset? throttledUntil) =>
        audit.RecordLogin(claimant, Throttled("wrong credentials", throttledUntil));

    private static AuditOutcome Throttled(string reason, DateTimeOffset? until) =>
        until is { } time ? AuditOutcome.RefusedUntil($"{reason}, throttled", time) : AuditOutcome.Refused(reason);

    public static void LoginDisabled(this IAuditTrail audit, AuditActor claimant) =>
        audit.RecordLogin(claimant, AuditOutcome.Refused("account disabled"));

    public static void LoggedIn(this IAuditTrail audit, AuditActor claimant, bool mustEnrolTotp) =>
        audit.RecordLogin(claimant, mustEnrolTotp ? AuditOutcome.OkWith("must enrol TOTP") : AuditOutcome.Ok);

    private static void RecordLogin(this IAuditTrail audit, AuditActor claimant, AuditOutcome outcome) =>
        audit.Record(claimant, AuditAction.Login, AuditObject.Console, outcome);

    public static void LoggedOut(this IAuditTrail audit, Account account) =>
        audit.Record(AuditActor.User(account), AuditAction.Logout, AuditObject.Console, AuditOutcome.Ok);

    public static void TotpEnrolmentRefused(this IAuditTrail audit, Account account) =>
        audit.Record(AuditActor.User(account), AuditAction.TotpEnrol, AuditObject.Of(account), AuditOutcome.Refused("wrong code"));

    /// <summary>The password, or the code of the authenticator enrolled now, did not match: nothing was checked or changed beyond that.</summary>
    public static void TotpEnrolmentUnauthenticated(this IAuditTrail audit, Account account, bool replacing) =>
        audit.Record(AuditActor.User(account), AuditAction.TotpEnrol, AuditObject.Of(account),
            AuditOutcome.Refused(replacing ? "wrong password or current code" : "wrong password"));

    /// <summary>Refused without checking the password: this account's name from this source must wait.</summary>
    public static void TotpEnrolmentNotChecked(this IAuditTrail audit, Account account, DateTimeOffset throttledUntil) =>
        audit.Record(AuditActor.User(account), AuditAction.TotpEnrol, AuditObject.Of(account), AuditOutcome.RefusedUntil("not checked, throttled", throttledUntil));

    /// <param name="replaced">An authenticator was enrolled before and no longer works.</param>
    public static void TotpEnrolled(this IAuditTrail audit, Account account, bool replaced) =>
        audit.Record(AuditActor.User(account), AuditAction.TotpEnrol, AuditObject.Of(account), replaced ? AuditOutcome.OkWith("replaced the enrolled authenticator") : AuditOutcome.Ok);

    public static void UserCreated(this IAuditTrail audit, Account admin, Account account) =>
        audit.Record(AuditActor.User(admin), AuditAction.UserCreate, AuditObject.Of(account), AuditOutcome.OkWith($"roles {Roles.Describe(account.Roles)}"));

    public static void RolesChanged(this IAuditTrail audit, Account admin, Account account) =>
        audit.Record(AuditActor.User(admin), AuditAction.UserRoles, AuditObject.Of(account), AuditOutcome.OkWith(Roles.Describe(account.Roles)));

    public static void UserDisabled(this IAuditTrail audit, Account admin, Account account) =>
        audit.Record(AuditActor.User(admin), AuditAction.UserDisable, AuditObject.Of(account), AuditOutcome.Ok);

    public static void UserEnabled(this IAuditTrail audit, Account admin, Account account) =>
        audit.Record(AuditActor.User(admin), AuditAction.UserEnable, AuditObject.Of(account), AuditOutcome.Ok);

    /// <param name="actor">An admin (<see cref="AuditActor.User"/>) or the operator on the box (<see cref="AuditActor.Operator"/>).</param>
    /// <param name="enabled">The reset also enabled the account (the operator's does).</param>
    public static void CredentialsReset(this IAuditTrail audit, AuditActor actor, Account account, bool enabled) =>
        audit.Record(actor, AuditAction.UserReset, AuditObject.Of(account),
            AuditOutcome.OkWith(enabled ? "password set, TOTP cleared, enabled" : "password set, TOTP cleared"));

    /// <param name="what">What only an admin may do: "create users".</param>
    public static void AdminOnlyRefused(this IAuditTrail audit, Account actor, string what) =>
        audit.Record(AuditActor.User(actor), AuditAction.Authorize, AuditObject.Described(what), AuditOutcome.Refused("not an admin"));
}
