using System.Security.Cryptography;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Recordings;

/// <summary>
/// Who may start a recording, and what happens to it after: the host, present in a
/// meeting whose settings allow recording starts one; compliance officers put it on legal hold;
/// it is shredded when its retention ends. Every step is audited (docs/recording.md).
/// </summary>
/// <param name="retention">How long a recording is kept (a minimum and a maximum: regulated archives need both).</param>
public sealed class RecordingService(IRecordingIndex index, IMeetingStore meetings, IAuditTrail audit, TimeProvider time, TimeSpan retention)
{
    public static readonly TimeSpan DefaultRetention = TimeSpan.FromDays(365);

    public TimeSpan Retention { get; } = retention > TimeSpan.Zero ? retention : throw new ArgumentOutOfRangeException(nameof(retention));

    /// <summary>
    /// Starts a recording of the meeting for <paramref name="starter"/>, who must be in it: the
    /// meeting's host, in a meeting whose settings allow recording, with no other recording running.
    /// </summary>
    public Recording Start(Attendee starter, string meetingId, RecordingScope scope)
    {
        var meeting = meetings.Find(meetingId) ?? throw DomainException.NotFound("No such meeting.");
        string? refusal = !MayControl(starter, meeting) ? "only the meeting's host may record it" : null;
        refusal ??= !meeting.Recordable ? "the meeting's settings do not allow recording"
            : !meeting.IsOpenAt(time.GetUtcNow()) ? "the meeting is not open"
            : index.FindActive(meeting.Id) is not null ? "it is being recorded already"
            : null;
        if (refusal is not null)
        {
            audit.RecordingStartRefused(starter, meeting, refusal);
            throw refusal.StartsWith("only", StringComparison.Ordinal)
                ? DomainException.Forbidden($"Not recorded: {refusal}.")
                : DomainException.Conflict($"Not recorded: {refusal}.");
        }
        var now = time.GetUtcNow();
        var recording = new Recording(Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(16)), meeting.Id, meeting.Title,
            AuditActor.Of(starter).Text, scope, now, StoppedAt: null, EndedBy: null, Bytes: 0, ManifestSha256: null,
            RetainUntil: now + Retention, LegalHold: false, ShreddedAt: null);
        index.Add(recording);
        audit.RecordingStarted(starter, meeting, recording);
        return recording;
    }

    /// <summary>
    /// Whether <paramref name="attendee"/> may start and stop recordings of the meeting: its host
    /// only. Members' browsers accept the recording change in the group context only from the
    /// host's leaf, so an admin's request could not take effect anyway.
    /// </summary>
    public bool MayControl(Attendee attendee, string meetingId) => meetings.Find(meetingId) is { } meeting && MayControl(attendee, meeting);

    private static bool MayControl(Attendee attendee, Meeting meeting) =>
        attendee is MemberAttendee { Account: var account } && meeting.HostAccountId == account.Id;

    /// <summary>The recorder closed the recording: what it wrote, and the hash of its manifest (escrow blobs: null when not counted, after a crash).</summary>
    public Recording Stopped(string recordingId, string endedBy, long bytes, byte[] manifestSha256, int? escrowBlobs)
    {
        var recording = index.Find(recordingId) ?? throw DomainException.NotFound("No such recording.");
        var now = time.GetUtcNow();
        var stopped = recording with
        {
            StoppedAt = now,
            EndedBy = endedBy,
            Bytes = bytes,
            ManifestSha256 = manifestSha256,
            RetainUntil = now + Retention,
        };
        index.Update(stopped);
        audit.RecordingStopped(stopped, escrowBlobs);
        return stopped;
    }

    /// <summary>Recordings still marked as recording: the daemon stopped without closing them (their manifests are recovered).</summary>
    public IReadOnlyList<Recording> Unfinished() => [.. index.List().Where(r => r.IsRecording)];

    /// <summary>
    /// Whoever joins a meeting that may be recorded must have been told so before Join: false
    /// when they were not (the join is refused); their acceptance is audited.
    /// </summary>
    public bool CheckNotice(Attendee attendee, string meetingId, bool noticeAccepted)
    {
        if (meetings.Find(meetingId) is not { Recordable: true } meeting) return true;
        if (!noticeAccepted) return false;
        audit.RecordingNoticeAccepted(attendee, meeting);
        return true;
    }

    /// <summary>Compliance officers and admins see every recording (metadata only).</summary>
    public IReadOnlyList<Recording> List(Account actor)
    {
        RequireReviewer(actor, AuditAction.RecordingView, null);
        return index.List();
    }

    /// <summary>A legal hold keeps a recording past its retention until a compliance officer lifts it.</summary>
    public Recording SetLegalHold(Account actor, string? recordingId, bool hold)
    {
        if (!actor.Holds(Role.ComplianceOfficer))
        {
            audit.RecordingAccessRefused(actor, AuditAction.RecordingHold, recordingId, "not a compliance officer");
            throw DomainException.Forbidden("Only a compliance officer may place or lift a legal hold.");
        }
        var recording = (recordingId is null ? null : index.Find(recordingId)) ?? throw DomainException.NotFound("No such recording.");
        if (recording.ShreddedAt is not null) throw DomainException.Gone("That recording has been shredded.");
        var changed = recording with { LegalHold = hold };
        index.Update(changed);
        audit.RecordingHoldChanged(actor, changed);
        return changed;
    }

    /// <summary>
    /// A compliance officer takes a stopped recording off the appliance as a bundle (still end-to-end
    /// encrypted): the recording to bundle, audited before a byte leaves.
    /// </summary>
    public Recording Bundle(Account actor, string? recordingId)
    {
        if (!actor.Holds(Role.ComplianceOfficer))
        {
            audit.RecordingAccessRefused(actor, AuditAction.RecordingBundle, recordingId, "not a compliance officer");
            throw DomainException.Forbidden("Only a compliance officer may take a recording off the appliance.");
        }
        var recording = (recordingId is null ? null : index.Find(recordingId)) ?? throw DomainException.NotFound("No such recording.");
        if (recording.ShreddedAt is not null) throw DomainException.Gone("That recording has been shredded.");
        if (recording.IsRecording) throw DomainException.Conflict("That recording is still running; bundle it once it has stopped.");
        audit.RecordingBundled(actor, recording);
        return recording;
    }

    /// <summary>Stopped recordings past their retention and not on hold.</summary>
    public IReadOnlyList<Recording> DueForShredding()
    {
        var now = time.GetUtcNow();
        return [.. index.List().Where(r => !r.IsRecording && r.ShreddedAt is null && !r.LegalHold && r.RetainUntil <= now)];
    }

    /// <summary>The recorder destroyed the recording's keys and files.</summary>
    public void Shredded(Recording recording)
    {
        var shredded = recording with { ShreddedAt = time.GetUtcNow() };
        index.Update(shredded);
        audit.RecordingShredded(shredded);
    }

    private void RequireReviewer(Account actor, AuditAction action, string? recordingId)
    {
        if (actor.Holds(Role.ComplianceOfficer | Role.Admin)) return;
        audit.RecordingAccessRefused(actor, action, recordingId, "neither a compliance officer nor an admin");
        throw DomainException.Forbidden("Only compliance officers and admins see recordings.");
    }
}
