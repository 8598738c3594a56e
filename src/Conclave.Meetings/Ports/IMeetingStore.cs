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

    /// <summary>
    /// Counts one passcode try of an invitation that is still issued and has fewer than
    /// <paramref name="maxTries"/> counted, in one atomic write before the passcode is checked,
    /// so tries sent at once are all counted and at most <paramref name="maxTries"/> are ever
    /// checked. Returns the tries counted with this one, or null when the invitation is no
    /// longer issued or has no try left.
    /// </summary>
    int? CountPasscodeTry(string invitationId, int maxTries);

    /// <summary>
    /// Turns an invitation that is still issued into a guest pass (two browsers opening one link
    /// at once: one wins); with <paramref name="refundPasscodeTry"/> the try the right passcode
    /// used is given back. False when it is no longer issued.
    /// </summary>
    bool TryRedeemInvitation(string invitationId, byte[] guestPassHash, bool refundPasscodeTry);

    /// <summary>Moves the invitation from <paramref name="from"/> to <paramref name="to"/>; false when it is not in <paramref name="from"/> (any more).</summary>
    bool TryChangeInvitationState(string invitationId, InvitationState from, InvitationState to);

    /// <summary>A removed or denied member may not come back to this meeting.</summary>
    void Bar(string meetingId, long accountId);

    bool IsBarred(string meetingId, long accountId);
}
