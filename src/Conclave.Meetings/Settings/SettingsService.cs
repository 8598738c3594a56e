using Conclave.Meetings.Accounts;
using Conclave.Meetings.Audit;
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
            audit.SettingsChangeRefused(actor);
            throw DomainException.Forbidden("Only an admin may change settings.");
        }
        var before = store.Get();
        var after = requested.Validated();
        store.Save(after);
        if (before.LobbyForMembersByDefault != after.LobbyForMembersByDefault)
            audit.SettingChanged(actor, nameof(after.LobbyForMembersByDefault), before.LobbyForMembersByDefault, after.LobbyForMembersByDefault);
        if (before.InvitationLifetimeHours != after.InvitationLifetimeHours)
            audit.SettingChanged(actor, nameof(after.InvitationLifetimeHours), before.InvitationLifetimeHours, after.InvitationLifetimeHours);
        if (before.SessionIdleMinutes != after.SessionIdleMinutes)
            audit.SettingChanged(actor, nameof(after.SessionIdleMinutes), before.SessionIdleMinutes, after.SessionIdleMinutes);
        if (before.SharedFilesKeptHours != after.SharedFilesKeptHours)
            audit.SettingChanged(actor, nameof(after.SharedFilesKeptHours), before.SharedFilesKeptHours, after.SharedFilesKeptHours);
        return after;
    }
}
