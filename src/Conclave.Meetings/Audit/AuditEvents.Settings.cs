using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    public static void SettingsChangeRefused(this IAuditTrail audit, Account actor) =>
        audit.Record(AuditActor.User(actor), AuditAction.ConfigChange, AuditObject.Settings, AuditOutcome.Refused("not an admin"));

    /// <summary>One changed value: "ok: 30 → 60".</summary>
    public static void SettingChanged<T>(this IAuditTrail audit, Account admin, string setting, T before, T after) =>
        audit.Record(AuditActor.User(admin), AuditAction.ConfigChange, AuditObject.Setting(setting), AuditOutcome.OkWith($"{before} → {after}"));
}
