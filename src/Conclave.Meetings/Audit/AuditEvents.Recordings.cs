using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Recordings;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Audit;

public static partial class AuditEvents
{
    public static void RecordingStartRefused(this IAuditTrail audit, Attendee starter, Meeting meeting, string why) =>
        audit.Record(AuditActor.Of(starter), AuditAction.RecordingStart, AuditObject.Of(meeting), AuditOutcome.Refused(why));

    public static void RecordingStarted(this IAuditTrail audit, Attendee starter, Meeting meeting, Recording recording) =>
        audit.Record(AuditActor.Of(starter), AuditAction.RecordingStart, AuditObject.Recording(recording),
            AuditOutcome.OkWith($"{AuditObject.Of(meeting)}, scope {Named(recording.Scope)}"));

    /// <summary>The recording ended; the manifest's hash goes into the signed chain, so a changed recording shows.</summary>
    public static void RecordingStopped(this IAuditTrail audit, Recording recording, int? escrowBlobs) =>
        audit.Record(AuditActor.Daemon, AuditAction.RecordingStop, AuditObject.Recording(recording),
            AuditOutcome.OkWith($"ended by {recording.EndedBy}, {recording.Bytes} bytes, {(escrowBlobs is { } count ? $"{count} escrow blobs" : "escrow blobs not counted")}, manifest sha256={Convert.ToHexStringLower(recording.ManifestSha256 ?? [])}"));

    /// <summary>Someone joined a meeting that may be recorded after the page told them so.</summary>
    public static void RecordingNoticeAccepted(this IAuditTrail audit, Attendee attendee, Meeting meeting) =>
        audit.Record(AuditActor.Of(attendee), AuditAction.RecordingNotice, AuditObject.Of(meeting), AuditOutcome.OkWith("accepted the recording notice"));

    public static void RecordingHoldChanged(this IAuditTrail audit, Account actor, Recording recording) =>
        audit.Record(AuditActor.User(actor), AuditAction.RecordingHold, AuditObject.Recording(recording),
            AuditOutcome.OkWith(recording.LegalHold ? "legal hold on" : "legal hold off"));

    public static void RecordingAccessRefused(this IAuditTrail audit, Account actor, AuditAction action, string? recordingId, string why) =>
        audit.Record(AuditActor.User(actor), action, AuditObject.RequestedRecording(recordingId), AuditOutcome.Refused(why));

    public static void RecordingBundled(this IAuditTrail audit, Account actor, Recording recording) =>
        audit.Record(AuditActor.User(actor), AuditAction.RecordingBundle, AuditObject.Recording(recording),
            AuditOutcome.OkWith($"downloaded from the console, manifest sha256={Convert.ToHexStringLower(recording.ManifestSha256 ?? [])}"));

    public static void RecordingShredded(this IAuditTrail audit, Recording recording) =>
        audit.Record(AuditActor.Daemon, AuditAction.RecordingShred, AuditObject.Recording(recording),
            AuditOutcome.OkWith($"retention ended {recording.RetainUntil:u}; keys destroyed, files deleted"));

    private static string Named(RecordingScope scope) => scope == RecordingScope.MediaAndChat ? "media and chat" : "media";
}
