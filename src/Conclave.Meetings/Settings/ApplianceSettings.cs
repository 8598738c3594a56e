namespace Conclave.Meetings.Settings;

/// <summary>What an admin may change at run time (the console's Settings page); every change is audited.</summary>
/// <param name="LobbyForMembersByDefault">New meetings make roster members wait in the lobby too.</param>
/// <param name="InvitationLifetimeHours">How long a new guest invitation stays valid unless the host says otherwise.</param>
/// <param name="SessionIdleMinutes">A console session unused this long ends.</param>
/// <param name="SharedFilesKeptHours">"Shared files kept after a meeting": how long a meeting's shared files outlive its room's last participant (docs/content-sharing.md).</param>
public sealed record ApplianceSettings(bool LobbyForMembersByDefault, int InvitationLifetimeHours, int SessionIdleMinutes, int SharedFilesKeptHours = 24)
{
    public static ApplianceSettings Defaults { get; } = new(false, 72, 30, 24);

    public const int MaxInvitationLifetimeHours = 30 * 24;

    /// <summary>A month: past that, a file belongs in a document system, not in a meeting.</summary>
    public const int MaxSharedFilesKeptHours = 30 * 24;

    public ApplianceSettings Validated()
    {
        if (InvitationLifetimeHours is < 1 or > MaxInvitationLifetimeHours)
        {
            throw DomainException.Invalid($"An invitation lasts 1 to {MaxInvitationLifetimeHours} hours.");
        }
        if (SessionIdleMinutes is < 5 or > 480) throw DomainException.Invalid("A session's idle time is 5 to 480 minutes.");
        if (SharedFilesKeptHours is < 0 or > MaxSharedFilesKeptHours)
        {
            throw DomainException.Invalid($"Shared files are kept 0 to {MaxSharedFilesKeptHours} hours after a meeting.");
        }
        return this;
    }
}
