using System.Security.Cryptography;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.SharedFiles;

/// <summary>
/// The rules of files shared in a meeting (docs/content-sharing.md): quotas reserved before a
/// byte is written, who may delete, and how long a file outlives its room. Uploads, deletions and
/// shredding are audited with the file's id and size, nothing more (there is nothing more: names
/// and types are end-to-end encrypted). Where the sealed bytes live is the caller's business.
/// </summary>
public sealed class SharedFileService(ISharedFileIndex index, IMeetingStore meetings, ISettingsStore settings, IAuditTrail audit,
    TimeProvider time, SharedFileLimits limits)
{
    private DateTimeOffset? _startedAt;

    public SharedFileLimits Limits { get; } = limits;

    /// <summary>
    /// Reserves <paramref name="bytes"/> of the meeting's quota and a slot for a new file of
    /// <paramref name="uploader"/>'s; <paramref name="file"/> is the reservation, not yet stored.
    /// </summary>
    public SharedFileReservation Reserve(Attendee uploader, string participantId, string meetingId, long bytes, out SharedFile? file)
    {
        file = null;
        var candidate = new SharedFile(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), meetingId, bytes, participantId, uploader.Key,
            time.GetUtcNow(), Stored: false, RoomEmptiedAt: null);
        var outcome = bytes > Limits.MaxFileBytes ? SharedFileReservation.FileTooLarge : index.TryReserve(candidate, Limits.MaxMeetingBytes, Limits.MaxFilesPerMeeting);
        if (outcome == SharedFileReservation.Reserved) file = candidate;
        else audit.SharedFileUploadRefused(uploader, meetingId, bytes, outcome);
        return outcome;
    }

    /// <summary>The upload's sealed file is in place.</summary>
    public void Stored(Attendee uploader, SharedFile file)
    {
        index.MarkStored(file.FileId);
        audit.SharedFileUploaded(uploader, file);
    }

    /// <summary>The upload failed (cut short, disk full): its reservation is released.</summary>
    public void Abandoned(SharedFile file) => index.Remove(file.FileId);

    /// <summary>A stored file of this meeting, or null.</summary>
    public SharedFile? Find(string meetingId, string fileId) =>
        index.Find(fileId) is { Stored: true } file && file.MeetingId == meetingId ? file : null;

    /// <summary>Its uploader (as a person, from any tab) and the meeting's host may delete a file; the refusal is audited.</summary>
    public bool MayDelete(Attendee attendee, SharedFile file)
    {
        bool may = attendee.Key == file.UploaderAttendeeKey
            || (attendee is MemberAttendee { Account: var account } && meetings.Find(file.MeetingId)?.HostAccountId == account.Id);
        if (!may) audit.SharedFileDeleteRefused(attendee, file);
        return may;
    }

    /// <summary>The file was shredded at its uploader's or host's request.</summary>
    public void Deleted(Attendee attendee, SharedFile file)
    {
        index.Remove(file.FileId);
        audit.SharedFileDeleted(attendee, file);
    }

    public void RoomOccupied(string meetingId) => index.MarkRoomOccupied(meetingId);

    public void RoomEmptied(string meetingId) => index.MarkRoomEmptied(meetingId, time.GetUtcNow());

    /// <summary>
    /// The daemon starts with every room empty: files of rooms a crash or a stop emptied start
    /// their retention now, and uploads it cut short are due for shredding.
    /// </summary>
    public void Started()
    {
        _startedAt = time.GetUtcNow();
        index.MarkEveryRoomEmptied(_startedAt.Value);
    }

    /// <summary>
    /// Files whose room has been empty for the setting "Shared files kept after a meeting", and
    /// uploads cut short before this start; read each time, so a changed setting applies to every file.
    /// </summary>
    public IReadOnlyList<SharedFile> DueForShredding()
    {
        var kept = TimeSpan.FromHours(settings.Get().SharedFilesKeptHours);
        var due = index.EmptiedBy(time.GetUtcNow() - kept).ToList();
        if (_startedAt is { } startedAt) due.AddRange(index.UnfinishedBefore(startedAt));
        return due;
    }

    /// <summary>The file's key was destroyed and its file deleted; the index forgets it last, so a crash before this is shredded again.</summary>
    public void Shredded(SharedFile file)
    {
        index.Remove(file.FileId);
        if (file.Stored) audit.SharedFileShredded(file);
    }
}
