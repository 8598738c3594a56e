namespace Conclave.Meetings.Settings;

/// <summary>What an admin may change at run time (the console's Settings page); every change is audited.</summary>
/// <param name="LobbyForMembersByDefault">New meetings make roster members wait in the lobby too.</param>
/// <param name="InvitationLifetimeHours">How long a new guest invitation stays valid unless the host says otherwise.</param>
/// <param name="SessionIdleMinutes">A console session unused this long ends.</param>
public sealed record ApplianceSettings(bool LobbyForMembersByDefault, int InvitationLifetimeHours, int SessionIdleMinutes)
{
    public static ApplianceSettings Defaults { get; } = new(false, 72, 30);

    public const int MaxInvitationLifetimeHours = 30 * 24;

    public ApplianceSettings Validated()
    {
        if (InvitationLifetimeHours is < 1 or > MaxInvitationLifetimeHours)
        {
            throw DomainException.Invalid($"An invitation lasts 1 to {MaxInvitationLifetimeHours} hours.");
        }
        if (SessionIdleMinutes is < 5 or > 480) throw DomainException.Invalid("A session's idle time is 5 to 480 minutes.");
        return this;
    }
}
