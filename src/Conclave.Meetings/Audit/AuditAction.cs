namespace Conclave.Meetings.Audit;

/// <summary>
/// Every action the audit log records, each with its one wire name (the record's "action"
/// field, docs/audit-log.md). The names are the log's: an existing log, its filters and
/// <c>conclavectl audit verify</c> depend on them, so a name is never changed, only added.
/// The typed events that write them are <see cref="AuditEvents"/>.
/// </summary>
public sealed class AuditAction
{
    // First: each constructor below adds its action to this list.
    private static readonly List<AuditAction> Declared = [];

    private AuditAction(string name)
    {
        Name = name;
        Declared.Add(this);
    }

    /// <summary>The wire name, as the log holds it.</summary>
    public string Name { get; }

    public override string ToString() => Name;

    // Accounts and the console's login.
    public static readonly AuditAction SetupFirstAdmin = new("setup.first-admin");
    public static readonly AuditAction Login = new("login");
    public static readonly AuditAction Logout = new("logout");
    public static readonly AuditAction TotpEnrol = new("totp.enrol");
    public static readonly AuditAction UserCreate = new("user.create");
    public static readonly AuditAction UserRoles = new("user.roles");
    public static readonly AuditAction UserDisable = new("user.disable");
    public static readonly AuditAction UserEnable = new("user.enable");
    public static readonly AuditAction UserReset = new("user.reset");
    public static readonly AuditAction Authorize = new("authorize");

    // Settings.
    public static readonly AuditAction ConfigChange = new("config.change");

    // Meetings and invitations.
    public static readonly AuditAction MeetingCreate = new("meeting.create");
    public static readonly AuditAction MeetingView = new("meeting.view");
    public static readonly AuditAction MeetingRoster = new("meeting.roster");
    public static readonly AuditAction MeetingLock = new("meeting.lock");
    public static readonly AuditAction MeetingUnlock = new("meeting.unlock");
    public static readonly AuditAction MeetingEnd = new("meeting.end");
    public static readonly AuditAction InvitationCreate = new("invitation.create");
    public static readonly AuditAction InvitationRevoke = new("invitation.revoke");
    public static readonly AuditAction InvitationOpen = new("invitation.open");
    public static readonly AuditAction InvitationRedeem = new("invitation.redeem");

    // Admission and the lobby.
    public static readonly AuditAction Admission = new("admission");
    public static readonly AuditAction LobbyAdmit = new("lobby.admit");
    public static readonly AuditAction LobbyDeny = new("lobby.deny");
    public static readonly AuditAction ParticipantRemove = new("participant.remove");

    // The console's gate and signalling.
    public static readonly AuditAction ConsoleAccess = new("console.access");
    public static readonly AuditAction ConsoleForm = new("console.form");
    public static readonly AuditAction SignallingConnect = new("signalling.connect");

    // The daemon and its token.
    public static readonly AuditAction DaemonStart = new("daemon.start");
    public static readonly AuditAction DaemonStop = new("daemon.stop");
    public static readonly AuditAction TokenOpen = new("token.open");
    public static readonly AuditAction KeyUse = new("key.use");

    // Compliance recordings (docs/recording.md).
    public static readonly AuditAction RecordingStart = new("recording.start");
    public static readonly AuditAction RecordingStop = new("recording.stop");
    public static readonly AuditAction RecordingNotice = new("recording.notice");
    public static readonly AuditAction RecordingView = new("recording.view");
    public static readonly AuditAction RecordingHold = new("recording.hold");
    public static readonly AuditAction RecordingShred = new("recording.shred");
    public static readonly AuditAction RecordingBundle = new("recording.bundle");
    public static readonly AuditAction RecordingExport = new("recording.export");

    // Files shared in meetings (docs/content-sharing.md).
    public static readonly AuditAction FileUpload = new("file.upload");
    public static readonly AuditAction FileDelete = new("file.delete");
    public static readonly AuditAction FileShred = new("file.shred");

    // The operating system, from the console's System page (docs/system-page.md).
    public static readonly AuditAction SystemHostname = new("system.hostname");
    public static readonly AuditAction SystemReboot = new("system.reboot");
    public static readonly AuditAction SystemPowerOff = new("system.poweroff");

    /// <summary>Every action, in the order declared above (the log's own signed checkpoints aside).</summary>
    public static IReadOnlyList<AuditAction> All { get; } = Declared.AsReadOnly();

    /// <summary>The action with this wire name (any case, as the log's filters match), or null.</summary>
    public static AuditAction? Find(string name) => Declared.Find(action => action.Name.Equals(name, StringComparison.OrdinalIgnoreCase));
}
