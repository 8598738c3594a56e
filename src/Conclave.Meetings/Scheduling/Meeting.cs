using Conclave.Meetings.Audit;

namespace Conclave.Meetings.Scheduling;

/// <summary>A meeting a host scheduled. Its id is random and is also the media room's name.</summary>
/// <param name="LobbyForMembers">Roster members wait in the lobby too (guests always do).</param>
/// <param name="Locked">Nobody new may join (those inside stay).</param>
/// <param name="EndedAt">Set when the host ended it for everyone; it cannot be joined again.</param>
/// <param name="Recordable">Its host may record it for compliance; everyone is told before joining (docs/recording.md).</param>
public sealed record Meeting(
    string Id,
    string Title,
    long HostAccountId,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    bool LobbyForMembers,
    bool Locked,
    DateTimeOffset? EndedAt,
    DateTimeOffset CreatedAt,
    bool Recordable = false)
{
    /// <summary>People may come in this long before the start, as into a real meeting room.</summary>
    public static readonly TimeSpan EarlyEntry = TimeSpan.FromMinutes(15);

    /// <summary>How long after the scheduled end a guest pass still names its guest (a page reloaded as the meeting closes).</summary>
    public static readonly TimeSpan GuestPassGrace = TimeSpan.FromMinutes(5);

    /// <summary>Guest passes stop working when the host ends the meeting, or <see cref="GuestPassGrace"/> after its scheduled end.</summary>
    public DateTimeOffset GuestPassesEndAt => EndedAt ?? EndsAt + GuestPassGrace;

    public bool IsOpenAt(DateTimeOffset time) => EndedAt is null && time >= StartsAt - EarlyEntry && time < EndsAt;

    public string AuditName => AuditObject.Of(this).Text;
}
