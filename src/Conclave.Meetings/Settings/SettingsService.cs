using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Settings;

/// <summary>Admins change the run-time settings; each changed value is one audit event ("config.change").</summary>
public sealed class SettingsService(ISettingsStore store, IAuditTrail audit)
{
    public ApplianceSettings Current => store.Get();

    public ApplianceSettings Change(Account actor, ApplianceSettings requested)
    {
        if (!actor.Holds(Role.Admin))
        {
            audit.Record(actor.AuditName, "config.change", "settings", "refused: not an admin");
            throw DomainException.Forbidden("Only an admin may change settings.");
        }
        var before = store.Get();
        var after = requested.Validated();
        store.Save(after);
        if (before.LobbyForMembersByDefault != after.LobbyForMembersByDefault)
            audit.Record(actor.AuditName, "config.change", "settings:LobbyForMembersByDefault", $"ok: {before.LobbyForMembersByDefault} → {after.LobbyForMembersByDefault}");
        if (before.InvitationLifetimeHours != after.InvitationLifetimeHours)
            audit.Record(actor.AuditName, "config.change", "settings:InvitationLifetimeHours", $"ok: {before.InvitationLifetimeHours} → {after.InvitationLifetimeHours}");
        if (before.SessionIdleMinutes != after.SessionIdleMinutes)
            audit.Record(actor.AuditName, "config.change", "settings:SessionIdleMinutes", $"ok: {before.SessionIdleMinutes} → {after.SessionIdleMinutes}");
        return after;
    }
}
