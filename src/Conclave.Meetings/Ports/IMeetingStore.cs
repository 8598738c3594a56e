using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Ports;

/// <summary>Meetings, their rosters (account ids), invitations and removed members, at rest.</summary>
public interface IMeetingStore
{
    /// <summary>Adds the meeting and its roster together, or neither.</summary>
    void Create(Meeting meeting, IReadOnlyCollection<long> roster);

    Meeting? Find(string meetingId);

    IReadOnlyList<Meeting> List();

    IReadOnlyList<Meeting> ListHostedBy(long accountId);

    IReadOnlyList<Meeting> ListWithMember(long accountId);

    void Update(Meeting meeting);

    IReadOnlyList<long> Roster(string meetingId);

    /// <summary>Replaces the whole roster in one transaction.</summary>
    void ReplaceRoster(string meetingId, IReadOnlyCollection<long> roster);

    void AddInvitation(Invitation invitation);

    Invitation? FindInvitation(string invitationId);

    Invitation? FindInvitationByToken(ReadOnlySpan<byte> tokenHash);

    Invitation? FindInvitationByGuestPass(ReadOnlySpan<byte> guestPassHash);

    IReadOnlyList<Invitation> Invitations(string meetingId);

    void UpdateInvitation(Invitation invitation);

    /// <summary>
    /// Replaces <paramref name="current"/> only if nobody changed its state or passcode count
    /// since it was read; false when someone did (a one-time link opened twice at once).
    /// </summary>
    bool TryReplaceInvitation(Invitation current, Invitation replacement);

    /// <summary>A removed or denied member may not come back to this meeting.</summary>
    void Bar(string meetingId, long accountId);

    bool IsBarred(string meetingId, long accountId);
}
