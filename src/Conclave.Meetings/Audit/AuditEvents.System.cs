using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Audit;

/// <summary>What an admin does to the operating system from the console's System page (docs/system-page.md).</summary>
public static partial class AuditEvents
{
    /// <summary>"ok: old → new".</summary>
    /// <param name="before">The static host name before, or null when it could not be read.</param>
    public static void HostnameChanged(this IAuditTrail audit, Account admin, string? before, string after) =>
        audit.Record(AuditActor.User(admin), AuditAction.SystemHostname, AuditObject.Appliance, AuditOutcome.OkWith($"{before ?? "?"} → {after}"));

    /// <summary>"refused: old → new: why", the system's refusal (polkit, systemd-hostnamed absent).</summary>
    public static void HostnameChangeFailed(this IAuditTrail audit, Account admin, string? before, string requested, string problem) =>
        audit.Record(AuditActor.User(admin), AuditAction.SystemHostname, AuditObject.Appliance, AuditOutcome.Refused($"{before ?? "?"} → {requested}: {problem}"));

    /// <summary>Written before the call: once it succeeds the machine may go down before anything else is written.</summary>
    public static void RebootRequested(this IAuditTrail audit, Account admin) =>
        audit.Record(AuditActor.User(admin), AuditAction.SystemReboot, AuditObject.Appliance, AuditOutcome.OkWith("requested"));

    public static void RebootFailed(this IAuditTrail audit, Account admin, string problem) =>
        audit.Record(AuditActor.User(admin), AuditAction.SystemReboot, AuditObject.Appliance, AuditOutcome.Refused(problem));

    /// <summary>Written before the call, as <see cref="RebootRequested"/>.</summary>
    public static void PowerOffRequested(this IAuditTrail audit, Account admin) =>
        audit.Record(AuditActor.User(admin), AuditAction.SystemPowerOff, AuditObject.Appliance, AuditOutcome.OkWith("requested"));

    public static void PowerOffFailed(this IAuditTrail audit, Account admin, string problem) =>
        audit.Record(AuditActor.User(admin), AuditAction.SystemPowerOff, AuditObject.Appliance, AuditOutcome.Refused(problem));
}
