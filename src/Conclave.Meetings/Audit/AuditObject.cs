using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;

namespace Conclave.Meetings.Audit;

/// <summary>
/// What an action was done to, as the record's "object" field names it. A path or a meeting
/// id from a request is untrusted and goes through <see cref="AuditText.Untrusted"/>.
/// </summary>
public sealed record AuditObject
{
    private AuditObject(string text) => Text = text;

    /// <summary>The wire form.</summary>
    public string Text { get; }

    public override string ToString() => Text;

    /// <summary>The console's login and sessions: "console".</summary>
    public static AuditObject Console { get; } = new("console");

    /// <summary>The appliance as a whole (its first admin): "appliance".</summary>
    public static AuditObject Appliance { get; } = new("appliance");

    /// <summary>Meetings in general (creating one): "meetings".</summary>
    public static AuditObject Meetings { get; } = new("meetings");

    /// <summary>The settings as a whole: "settings".</summary>
    public static AuditObject Settings { get; } = new("settings");

    /// <summary>The signalling endpoint: "/ws".</summary>
    public static AuditObject SignallingEndpoint { get; } = new("/ws");

    /// <summary>An invitation link that names no invitation: "invitation:?".</summary>
    public static AuditObject UnknownInvitation { get; } = new("invitation:?");

    /// <summary>An account: "user:bob", as it is named when it acts.</summary>
    public static AuditObject Of(Account account) => new(AuditActor.User(account).Text);

    /// <summary>Someone in a meeting or its lobby: "user:bob" or "guest:&lt;invitation id&gt;".</summary>
    public static AuditObject Of(Attendee attendee) => new(AuditActor.Of(attendee).Text);

    public static AuditObject Of(Meeting meeting) => new($"meeting:{meeting.Id}");

    public static AuditObject Of(Invitation invitation) => new($"invitation:{invitation.Id}");

    /// <summary>A compliance recording: "recording:&lt;id&gt;".</summary>
    public static AuditObject Recording(Recordings.Recording recording) => new(recording.AuditName);

    /// <summary>A recording id as a request gave it, perhaps of no recording.</summary>
    public static AuditObject RequestedRecording(string? recordingId) => new($"recording:{AuditText.Untrusted(recordingId)}");

    /// <summary>A file shared in a meeting: "file:&lt;id&gt;".</summary>
    public static AuditObject SharedFile(SharedFiles.SharedFile file) => new(file.AuditName);

    /// <summary>One setting, by its name: "settings:SessionIdleMinutes".</summary>
    public static AuditObject Setting(string name) => new($"settings:{name}");

    /// <summary>A meeting id as a request gave it, perhaps of no meeting: "meeting:&lt;id&gt;".</summary>
    public static AuditObject RequestedMeeting(string? meetingId) => new($"meeting:{AuditText.Untrusted(meetingId)}");

    /// <summary>A request's path.</summary>
    public static AuditObject RequestPath(string path) => new(AuditText.Untrusted(path));

    /// <summary>What the appliance describes in its own words: "create users", "conclave via /usr/lib/softhsm/libsofthsm2.so".</summary>
    public static AuditObject Described(string description) => new(AuditText.Printable(description));
}
