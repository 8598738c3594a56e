using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Scheduling;
using Conclave.Meetings.Settings;
using Conclave.Meetings.SharedFiles;

namespace Conclave.Meetings.Tests.SharedFiles;

public sealed class SharedFileServiceTests : IDisposable
{
    private readonly DomainHarness _h = new();
    private readonly Account _host;
    private readonly Account _ada;
    private readonly Account _bob;
    private readonly Meeting _meeting;
    private readonly SharedFileService _files;

    public SharedFileServiceTests()
    {
        _host = _h.NewAccount("hana", Role.Host);
        _ada = _h.NewAccount("ada", Role.Member);
        _bob = _h.NewAccount("bob", Role.Member);
        _meeting = _h.OpenMeeting(_host, "ada", "bob");
        _files = new SharedFileService(_h.Database.SharedFiles, _h.Database.Meetings, _h.Database.Settings, _h.Audit, _h.Time,
            new SharedFileLimits(MaxFileBytes: 1_000, MaxMeetingBytes: 2_000, MaxFilesPerMeeting: 3));
    }

    public void Dispose() => _h.Dispose();

    private SharedFile Upload(Account uploader, long bytes = 100, string participantId = "p1")
    {
        Assert.Equal(SharedFileReservation.Reserved, _files.Reserve(new MemberAttendee(uploader), participantId, _meeting.Id, bytes, out var file));
        _files.Stored(new MemberAttendee(uploader), file!);
        return file! with { Stored = true };
    }

    [Fact]
    public void A_stored_upload_is_found_in_its_meeting_only_and_audited_with_its_id_and_size_alone()
    {
        var file = Upload(_ada, 123);

        Assert.Matches("^[0-9a-f]{32}$", file.FileId);
        Assert.Equal(file, _files.Find(_meeting.Id, file.FileId));
        Assert.Null(_files.Find("other-meeting", file.FileId));
        Assert.Equal(new AuditRecord("user:ada", AuditAction.FileUpload, $"file:{file.FileId}", $"ok: 123 bytes, meeting:{_meeting.Id}"), _h.Audit.Last);
    }

    [Fact]
    public void An_upload_still_running_is_not_found_and_an_abandoned_one_frees_its_bytes()
    {
        Upload(_ada, 1_000);
        Assert.Equal(SharedFileReservation.Reserved, _files.Reserve(new MemberAttendee(_bob), "p2", _meeting.Id, 1_000, out var running));
        Assert.Null(_files.Find(_meeting.Id, running!.FileId));
        Assert.Equal(SharedFileReservation.MeetingBytesFull, _files.Reserve(new MemberAttendee(_bob), "p2", _meeting.Id, 1, out _));

        _files.Abandoned(running);

        Assert.Equal(SharedFileReservation.Reserved, _files.Reserve(new MemberAttendee(_bob), "p2", _meeting.Id, 1_000, out _));
    }

    [Fact]
    public void A_file_larger_than_a_file_may_be_is_refused_before_anything_is_reserved_and_the_refusal_is_audited()
    {
        Assert.Equal(SharedFileReservation.FileTooLarge, _files.Reserve(new MemberAttendee(_ada), "p1", _meeting.Id, 1_001, out var file));

        Assert.Null(file);
        Assert.Equal(new AuditRecord("user:ada", AuditAction.FileUpload, $"meeting:{_meeting.Id}", "refused: 1001 bytes is larger than a file may be"), _h.Audit.Last);
        Upload(_ada, 1_000);
        Upload(_ada, 1_000);
    }

    [Fact]
    public void Its_uploader_from_any_tab_and_the_host_may_delete_a_file_and_anyone_else_is_refused_and_audited()
    {
        var file = Upload(_ada, participantId: "p1");

        Assert.True(_files.MayDelete(new MemberAttendee(_ada), file));
        Assert.True(_files.MayDelete(new MemberAttendee(_host), file));
        Assert.False(_files.MayDelete(new MemberAttendee(_bob), file));
        Assert.Equal(new AuditRecord("user:bob", AuditAction.FileDelete, $"file:{file.FileId}", "refused: neither its uploader nor the meeting's host"), _h.Audit.Last);

        _files.Deleted(new MemberAttendee(_host), file);
        Assert.Null(_files.Find(_meeting.Id, file.FileId));
        Assert.Equal(AuditAction.FileDelete, _h.Audit.Last.Action);
        Assert.Equal("user:hana", _h.Audit.Last.Actor);
    }

    [Fact]
    public void A_file_is_due_once_its_room_has_been_empty_for_the_kept_hours_and_someone_returning_restarts_the_wait()
    {
        var file = Upload(_ada);
        Assert.Empty(_files.DueForShredding());

        _files.RoomEmptied(_meeting.Id);
        _h.Time.Advance(TimeSpan.FromHours(23));
        Assert.Empty(_files.DueForShredding());
        _files.RoomOccupied(_meeting.Id);
        _h.Time.Advance(TimeSpan.FromHours(2));
        Assert.Empty(_files.DueForShredding());

        _files.RoomEmptied(_meeting.Id);
        _h.Time.Advance(TimeSpan.FromHours(24));
        var due = Assert.Single(_files.DueForShredding());
        Assert.Equal(file.FileId, due.FileId);

        _files.Shredded(due);
        Assert.Empty(_files.DueForShredding());
        Assert.Equal(new AuditRecord("conclaved", AuditAction.FileShred, $"file:{file.FileId}",
            $"ok: 100 bytes, meeting:{_meeting.Id}; its room emptied {due.RoomEmptiedAt:u}; key destroyed, file deleted"), _h.Audit.Last);
    }

    [Fact]
    public void A_changed_setting_applies_to_files_already_waiting_and_zero_hours_shreds_at_once()
    {
        Upload(_ada);
        _files.RoomEmptied(_meeting.Id);
        Assert.Empty(_files.DueForShredding());

        _h.Settings.Change(_h.NewAccount("root", Role.Admin), ApplianceSettings.Defaults with { SharedFilesKeptHours = 0 });

        Assert.Single(_files.DueForShredding());
    }

    [Fact]
    public void At_a_start_the_rooms_a_stop_emptied_begin_their_wait_and_uploads_the_stop_cut_short_are_due_at_once()
    {
        var kept = Upload(_ada);
        Assert.Equal(SharedFileReservation.Reserved, _files.Reserve(new MemberAttendee(_bob), "p2", _meeting.Id, 10, out var cutShort));
        _h.Time.Advance(TimeSpan.FromMinutes(1));

        _files.Started();
        Assert.Equal(SharedFileReservation.Reserved, _files.Reserve(new MemberAttendee(_bob), "p3", _meeting.Id, 10, out _));

        Assert.Equal([cutShort!.FileId], _files.DueForShredding().Select(f => f.FileId));
        _h.Time.Advance(TimeSpan.FromHours(24));
        Assert.Equal([kept.FileId, cutShort.FileId], _files.DueForShredding().Select(f => f.FileId));
    }
}
