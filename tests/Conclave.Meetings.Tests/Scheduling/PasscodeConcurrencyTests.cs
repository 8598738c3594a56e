using Conclave.Meetings.Accounts;
using Conclave.Meetings.Scheduling;
using static Conclave.Meetings.Tests.DomainHarness;

namespace Conclave.Meetings.Tests.Scheduling;

/// <summary>
/// Passcode tries arrive concurrently (one per HTTP request), and each costs an Argon2 hash:
/// these tests send them at once, or hold one right after its try was counted, to show that
/// every try counts and that every refusal reads the same.
/// </summary>
public sealed class PasscodeConcurrencyTests : IDisposable
{
    private const string Passcode = "4711";
    private const string LastTryRefusal = "That passcode did not open this invitation, and it no longer works. Ask the host for a new one.";

    private readonly HookedMeetingStore _store;
    private readonly DomainHarness _h;
    private readonly Account _host;

    public PasscodeConcurrencyTests()
    {
        HookedMeetingStore? store = null;
        _h = new DomainHarness(wrapMeetings: inner => store = new HookedMeetingStore(inner));
        _store = store!;
        _host = _h.NewAccount("hana", Role.Host);
    }

    public void Dispose() => _h.Dispose();

    private IssuedInvitation Invite() => _h.Meetings.Invite(_host, _h.OpenMeeting(_host).Id, "Gail Guest", null, Passcode);

    private Invitation Stored(IssuedInvitation issued) => _h.Database.Meetings.FindInvitation(issued.Invitation.Id)!;

    /// <summary>
    /// Every try is counted before its passcode is hashed: tries sent at once check at most five
    /// passcodes per invitation, and every refusal reads as a wrong passcode does.
    /// </summary>
    [Fact]
    public async Task Forty_wrong_passcodes_at_once_are_five_checked_and_revoke_the_invitation()
    {
        var issued = Invite();
        using var allRead = new Barrier(40);
        _store.AfterFindByToken = () => allRead.SignalAndWait(TimeSpan.FromSeconds(10));

        var tries = Enumerable.Range(0, 40).Select(i => Task.Factory.StartNew(
            () => Assert.Throws<DomainException>(() => _h.Meetings.Redeem(issued.LinkToken, $"{1000 + i}", Source)),
            CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default));
        var refusals = await Task.WhenAll(tries);

        Assert.Equal(5, _store.TriesGranted);
        var stored = Stored(issued);
        Assert.Equal(Invitation.MaxPasscodeFailures, stored.PasscodeFailures);
        Assert.Equal(InvitationState.Revoked, stored.State);
        Assert.Equal(
            new[] { "(1 tries left)", "(2 tries left)", "(3 tries left)", "(4 tries left)" },
            refusals.Where(e => e.Kind == DomainErrorKind.Invalid).Select(e => e.Message[(e.Message.IndexOf('(', StringComparison.Ordinal))..^1]).Order());
        Assert.All(refusals.Where(e => e.Kind != DomainErrorKind.Invalid), e => Assert.Equal((DomainErrorKind.Gone, LastTryRefusal), (e.Kind, e.Message)));
        Assert.Single(_h.Audit.Records, r => r.Outcome == "refused: wrong passcode, invitation revoked");
    }

    [Fact]
    public void A_try_after_the_last_one_is_refused_unchecked_like_the_last_wrong_one()
    {
        var issued = Invite();
        for (int i = 0; i < Invitation.MaxPasscodeFailures; i++) _h.Database.Meetings.CountPasscodeTry(issued.Invitation.Id, Invitation.MaxPasscodeFailures);

        var refusal = Refused(DomainErrorKind.Gone, () => _h.Meetings.Redeem(issued.LinkToken, Passcode, Source));

        Assert.Equal(LastTryRefusal, refusal.Message);
        Assert.Equal(0, _store.TriesGranted);
        Assert.Equal("refused: passcode not checked, no tries left", _h.Audit.Last.Outcome);
    }

    /// <summary>
    /// The right passcode opens the invitation even while a wrong one is being checked, and does
    /// not count against the guest.
    /// </summary>
    [Fact]
    public void The_right_passcode_opens_the_invitation_while_a_wrong_one_is_checked_and_is_not_counted()
    {
        var issued = Invite();
        _store.AfterTryCounted = () =>
        {
            _store.AfterTryCounted = null;
            Refused(DomainErrorKind.Invalid, () => _h.Meetings.Redeem(issued.LinkToken, "0000", "203.0.113.5"));
        };

        var redeemed = _h.Meetings.Redeem(issued.LinkToken, Passcode, Source);

        Assert.Equal(InvitationState.Redeemed, redeemed.Invitation.State);
        Assert.Equal(1, redeemed.Invitation.PasscodeFailures);
        Assert.Equal(issued.Invitation.Id, _h.Meetings.FindGuest(redeemed.GuestPass)?.Id);
    }

    [Fact]
    public void The_right_passcode_that_loses_to_a_revocation_hears_what_the_last_wrong_one_hears()
    {
        var issued = Invite();
        _store.AfterTryCounted = () =>
        {
            _store.AfterTryCounted = null;
            _h.Meetings.Revoke(_host, issued.Invitation.MeetingId, issued.Invitation.Id);
        };

        var refusal = Refused(DomainErrorKind.Gone, () => _h.Meetings.Redeem(issued.LinkToken, Passcode, Source));

        Assert.Equal(LastTryRefusal, refusal.Message);
        Assert.Equal("refused: right passcode, but invitation revoked at the same moment", _h.Audit.Last.Outcome);
        Assert.Equal(InvitationState.Revoked, Stored(issued).State);
    }

    [Fact]
    public void The_last_wrong_try_and_the_refusals_after_it_read_the_same()
    {
        var issued = Invite();
        for (int i = 1; i < Invitation.MaxPasscodeFailures; i++) Refused(DomainErrorKind.Invalid, () => _h.Meetings.Redeem(issued.LinkToken, "0000", Source));

        Assert.Equal(LastTryRefusal, Refused(DomainErrorKind.Gone, () => _h.Meetings.Redeem(issued.LinkToken, "0000", Source)).Message);
    }
}
