using Conclave.Meetings.Admission;
using Conclave.Meetings.Ports;
using Conclave.Meetings.SharedFiles;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    // A shared file is named by its id and size only: its name and type are end-to-end encrypted.

    public static void SharedFileUploaded(this IAuditTrail audit, Attendee uploader, SharedFile file) =>
        audit.Record(AuditActor.Of(uploader), AuditAction.FileUpload, AuditObject.SharedFile(file), AuditOutcome.OkWith($"{file.Bytes} bytes, meeting:{file.MeetingId}"));

    public static void SharedFileUploadRefused(this IAuditTrail audit, Attendee uploader, string meetingId, long bytes, SharedFileReservation why) =>
        audit.Record(AuditActor.Of(uploader), AuditAction.FileUpload, AuditObject.RequestedMeeting(meetingId), AuditOutcome.Refused(why switch
        {
            SharedFileReservation.FileTooLarge => $"{bytes} bytes is larger than a file may be",
            SharedFileReservation.MeetingBytesFull => $"{bytes} bytes more is more than the meeting may hold",
            _ => "the meeting holds as many files as it may",
        }));

    public static void SharedFileDeleted(this IAuditTrail audit, Attendee deleter, SharedFile file) =>
        audit.Record(AuditActor.Of(deleter), AuditAction.FileDelete, AuditObject.SharedFile(file), AuditOutcome.OkWith($"{file.Bytes} bytes, meeting:{file.MeetingId}; key destroyed, file deleted"));

    public static void SharedFileDeleteRefused(this IAuditTrail audit, Attendee asker, SharedFile file) =>
        audit.Record(AuditActor.Of(asker), AuditAction.FileDelete, AuditObject.SharedFile(file), AuditOutcome.Refused("neither its uploader nor the meeting's host"));

    public static void SharedFileShredded(this IAuditTrail audit, SharedFile file) =>
        audit.Record(AuditActor.Daemon, AuditAction.FileShred, AuditObject.SharedFile(file),
            AuditOutcome.OkWith($"{file.Bytes} bytes, meeting:{file.MeetingId}; its room emptied {file.RoomEmptiedAt:u}; key destroyed, file deleted"));
}
