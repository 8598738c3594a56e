using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Tests.Audit;

/// <summary>
/// The wire forms existing logs hold: the one place in the tests that spells them out, so a
/// renamed action or a reworded actor breaks here before it breaks a filter or an old log.
/// </summary>
public sealed class AuditVocabularyTests
{
    private static readonly Account Alice = new(7, "alice", "Alice", Role.Host, false, "", null, null, 0, 0, null, null, DateTimeOffset.UnixEpoch);
    private static readonly Meeting Sync = new("m-123", "Sync", 7, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), false, false, null, DateTimeOffset.UnixEpoch);
    private static readonly Invitation ForGail = new("i-456", "m-123", [], "Gail", DateTimeOffset.UnixEpoch, null, 0, InvitationState.Redeemed, null, DateTimeOffset.UnixEpoch);

    [Fact]
    public void Every_action_keeps_the_wire_name_existing_logs_use()
    {
        Assert.Equal(
            [
                "setup.first-admin", "login", "logout", "totp.enrol", "user.create", "user.roles", "user.disable", "user.enable", "user.reset", "authorize",
                "config.change",
                "meeting.create", "meeting.view", "meeting.roster", "meeting.lock", "meeting.unlock", "meeting.end",
                "invitation.create", "invitation.revoke", "invitation.open", "invitation.redeem",
                "admission", "lobby.admit", "lobby.deny", "participant.remove",
                "console.access", "console.form", "signalling.connect",
                "daemon.start", "daemon.stop", "token.open", "key.use",
                "recording.start", "recording.stop", "recording.notice", "recording.view", "recording.hold", "recording.shred",
                "recording.bundle", "recording.export",
                "file.upload", "file.delete", "file.shred",
                "system.hostname", "system.reboot", "system.poweroff",
            ],
            AuditAction.All.Select(a => a.Name));
    }

    [Fact]
    public void An_action_is_found_by_its_wire_name_in_any_case_and_an_unknown_name_finds_none()
    {
        Assert.Same(AuditAction.MeetingCreate, AuditAction.Find("Meeting.Create"));
        Assert.Null(AuditAction.Find("meeting.delete"));
    }

    [Fact]
    public void Actors_are_named_as_existing_logs_name_them()
    {
        Assert.Equal("conclaved", AuditActor.Daemon.Text);
        Assert.Equal("user:alice", AuditActor.User(Alice).Text);
        Assert.Equal("anonymous@192.0.2.10", AuditActor.Anonymous("192.0.2.10").Text);
        Assert.Equal("guest:i-456", AuditActor.Guest(ForGail).Text);
        Assert.Equal("guest:i-456@192.0.2.10", AuditActor.Guest(ForGail, "192.0.2.10").Text);
        Assert.Equal("guest:i-456", AuditActor.Of(new GuestAttendee(ForGail)).Text);
        Assert.Equal("user:alice", AuditActor.Of(new MemberAttendee(Alice)).Text);
        Assert.Equal("conclavectl@root", AuditActor.Operator("root").Text);
    }

    [Theory]
    [InlineData("alice", "user:alice@192.0.2.10")]
    [InlineData("", "anonymous@192.0.2.10")]
    public void A_login_attempt_is_named_by_the_typed_user_name_or_is_anonymous_without_one(string typed, string expected)
    {
        Assert.Equal(expected, AuditActor.Claiming(typed, "192.0.2.10").Text);
    }

    [Fact]
    public void A_typed_user_name_longer_than_any_account_name_makes_the_attempt_anonymous()
    {
        Assert.Equal("anonymous@192.0.2.10", AuditActor.Claiming(new string('a', 10 * 1024), "192.0.2.10").Text);
    }

    [Fact]
    public void Objects_are_named_as_existing_logs_name_them()
    {
        Assert.Equal("user:alice", AuditObject.Of(Alice).Text);
        Assert.Equal("meeting:m-123", AuditObject.Of(Sync).Text);
        Assert.Equal("invitation:i-456", AuditObject.Of(ForGail).Text);
        Assert.Equal("invitation:?", AuditObject.UnknownInvitation.Text);
        Assert.Equal("settings:SessionIdleMinutes", AuditObject.Setting("SessionIdleMinutes").Text);
        Assert.Equal("meeting:", AuditObject.RequestedMeeting(null).Text);
        Assert.Equal("/ws", AuditObject.SignallingEndpoint.Text);
    }

    [Fact]
    public void Outcomes_are_worded_as_existing_logs_word_them()
    {
        var until = new DateTimeOffset(2030, 3, 4, 9, 15, 0, TimeSpan.Zero);
        Assert.Equal("ok", AuditOutcome.Ok.Text);
        Assert.Equal("ok: enter", AuditOutcome.OkWith("enter").Text);
        Assert.Equal("refused: not an admin", AuditOutcome.Refused("not an admin").Text);
        Assert.Equal("refused: wrong credentials, throttled until 2030-03-04 09:15:00Z", AuditOutcome.RefusedUntil("wrong credentials, throttled", until).Text);
    }

    [Fact]
    public void Every_event_writes_through_the_port_with_its_declared_action()
    {
        var audit = new RecordingAuditTrail();

        audit.DaemonStopped();
        audit.ConsoleRoleRefused(Alice, "/console/users", Role.Admin);

        Assert.Equal(
            [
                new AuditRecord("conclaved", AuditAction.DaemonStop, "shutdown", "ok"),
                new AuditRecord("user:alice", AuditAction.ConsoleAccess, "/console/users", "refused: needs role admin"),
            ],
            audit.Records);
    }
}
