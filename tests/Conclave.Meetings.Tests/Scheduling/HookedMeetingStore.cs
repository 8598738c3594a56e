using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Tests.Scheduling;

/// <summary>
/// The real store, with hooks where a test holds a redemption (after it read the link, after
/// its passcode try was counted) and a count of the tries that were let through to the hash.
/// </summary>
internal sealed class HookedMeetingStore(IMeetingStore inner) : IMeetingStore
{
    private int _triesGranted;

    public Action? AfterFindByToken { get; set; }
    public Action? AfterTryCounted { get; set; }

    /// <summary>Passcode tries the store counted: each is at most one passcode hash.</summary>
    public int TriesGranted => Volatile.Read(ref _triesGranted);

    public Invitation? FindInvitationByToken(ReadOnlySpan<byte> tokenHash)
    {
        var invitation = inner.FindInvitationByToken(tokenHash);
        AfterFindByToken?.Invoke();
        return invitation;
    }

    public int? CountPasscodeTry(string invitationId, int maxTries)
    {
        var tries = inner.CountPasscodeTry(invitationId, maxTries);
        if (tries is null) return null;
        Interlocked.Increment(ref _triesGranted);
        AfterTryCounted?.Invoke();
        return tries;
    }

    public void Create(Meeting meeting, IReadOnlyCollection<long> roster) => inner.Create(meeting, roster);
    public Meeting? Find(string meetingId) => inner.Find(meetingId);
    public IReadOnlyList<Meeting> List() => inner.List();
    public IReadOnlyList<Meeting> ListHostedBy(long accountId) => inner.ListHostedBy(accountId);
    public IReadOnlyList<Meeting> ListWithMember(long accountId) => inner.ListWithMember(accountId);
    public void Update(Meeting meeting) => inner.Update(meeting);
    public IReadOnlyList<long> Roster(string meetingId) => inner.Roster(meetingId);
    public void ReplaceRoster(string meetingId, IReadOnlyCollection<long> roster) => inner.ReplaceRoster(meetingId, roster);
    public void AddInvitation(Invitation invitation) => inner.AddInvitation(invitation);
    public Invitation? FindInvitation(string invitationId) => inner.FindInvitation(invitationId);
    public Invitation? FindInvitationByGuestPass(ReadOnlySpan<byte> guestPassHash) => inner.FindInvitationByGuestPass(guestPassHash);
    public IReadOnlyList<Invitation> Invitations(string meetingId) => inner.Invitations(meetingId);
    public bool TryRedeemInvitation(string invitationId, byte[] guestPassHash, bool refundPasscodeTry) => inner.TryRedeemInvitation(invitationId, guestPassHash, refundPasscodeTry);
    public bool TryChangeInvitationState(string invitationId, InvitationState from, InvitationState to) => inner.TryChangeInvitationState(invitationId, from, to);
    public void Bar(string meetingId, long accountId) => inner.Bar(meetingId, accountId);
    public bool IsBarred(string meetingId, long accountId) => inner.IsBarred(meetingId, accountId);
}
