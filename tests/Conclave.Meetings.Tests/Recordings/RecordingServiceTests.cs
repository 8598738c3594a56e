using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Recordings;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Tests.Recordings;

public sealed class RecordingServiceTests : IDisposable
{
    private readonly DomainHarness _domain = new();
    private readonly Account _host;
    private readonly Account _member;
    private readonly Account _compliance;

    public RecordingServiceTests()
    {
        _host = _domain.NewAccount("host", Role.Host);
        _member = _domain.NewAccount("bob", Role.Member);
        _compliance = _domain.NewAccount("carol", Role.ComplianceOfficer);
    }

    private Meeting RecordableMeeting() =>
        _domain.Meetings.Create(_host, "Private banking", _domain.Now.AddMinutes(-1), _domain.Now.AddHours(1), ["bob"], recordable: true);

    [Fact]
    public void The_host_starts_a_recording_of_a_recordable_meeting_and_it_is_audited()
    {
        var meeting = RecordableMeeting();

        var recording = _domain.Recordings.Start(new MemberAttendee(_host), meeting.Id, RecordingScope.MediaAndChat);

        Assert.Matches("^[0-9a-f]{32}$", recording.Id);
        Assert.True(recording.IsRecording);
        Assert.Equal(_domain.Now + RecordingService.DefaultRetention, recording.RetainUntil);
        var record = _domain.Audit.Of(AuditAction.RecordingStart).Single();
        Assert.Equal(("user:host", $"recording:{recording.Id}"), (record.Actor, record.Object));
        Assert.Contains("media and chat", record.Outcome);
    }

    [Fact]
    public void A_member_a_meeting_that_does_not_allow_it_and_a_second_recording_are_refused_and_audited()
    {
        var meeting = RecordableMeeting();
        var closed = _domain.Meetings.Create(_host, "Not recorded", _domain.Now.AddMinutes(-1), _domain.Now.AddHours(1), ["bob"]);

        DomainHarness.Refused(DomainErrorKind.Forbidden, () => _domain.Recordings.Start(new MemberAttendee(_member), meeting.Id, RecordingScope.Media));
        DomainHarness.Refused(DomainErrorKind.Conflict, () => _domain.Recordings.Start(new MemberAttendee(_host), closed.Id, RecordingScope.Media));
        _domain.Recordings.Start(new MemberAttendee(_host), meeting.Id, RecordingScope.Media);
        DomainHarness.Refused(DomainErrorKind.Conflict, () => _domain.Recordings.Start(new MemberAttendee(_host), meeting.Id, RecordingScope.Media));

        Assert.Equal(
            ["refused: only the meeting's host may record it", "refused: the meeting's settings do not allow recording", "ok", "refused: it is being recorded already"],
            _domain.Audit.Of(AuditAction.RecordingStart).Select(r => r.Outcome.StartsWith("ok", StringComparison.Ordinal) ? "ok" : r.Outcome));
    }

    [Fact]
    public void A_stopped_recording_carries_its_manifest_hash_into_the_audit_log()
    {
        var recording = _domain.Recordings.Start(new MemberAttendee(_host), RecordableMeeting().Id, RecordingScope.Media);
        byte[] manifestHash = [.. Enumerable.Range(0, 32).Select(i => (byte)i)];

        var stopped = _domain.Recordings.Stopped(recording.Id, "stop", 4096, manifestHash, escrowBlobs: 6);

        Assert.False(stopped.IsRecording);
        Assert.Contains($"manifest sha256={Convert.ToHexStringLower(manifestHash)}", _domain.Audit.Of(AuditAction.RecordingStop).Single().Outcome);
        Assert.Empty(_domain.Recordings.Unfinished());
    }

    [Fact]
    public void Only_a_compliance_officer_places_a_legal_hold_and_a_held_recording_is_never_due_for_shredding()
    {
        var recording = _domain.Recordings.Start(new MemberAttendee(_host), RecordableMeeting().Id, RecordingScope.Media);
        _domain.Recordings.Stopped(recording.Id, "stop", 1, new byte[32], 2);
        _domain.Time.Advance(RecordingService.DefaultRetention + TimeSpan.FromDays(1));
        Assert.Equal([recording.Id], _domain.Recordings.DueForShredding().Select(r => r.Id));

        DomainHarness.Refused(DomainErrorKind.Forbidden, () => _domain.Recordings.SetLegalHold(_host, recording.Id, true));
        _domain.Recordings.SetLegalHold(_compliance, recording.Id, true);

        Assert.Empty(_domain.Recordings.DueForShredding());
        Assert.Equal("ok: legal hold on", _domain.Audit.Of(AuditAction.RecordingHold).Last().Outcome);
    }

    [Fact]
    public void Members_do_not_see_the_recordings_list()
    {
        DomainHarness.Refused(DomainErrorKind.Forbidden, () => _domain.Recordings.List(_member));
        Assert.Empty(_domain.Recordings.List(_compliance));
    }

    public void Dispose() => _domain.Dispose();
}
