namespace Conclave.Meetings.Admission;

public enum AdmissionVerdict
{
    Enter,
    WaitInLobby,
    Refuse,
}

/// <summary>Why someone was refused; signalling tells the browser, the audit log records it.</summary>
public enum RefusalCode
{
    NoSuchMeeting,
    NotOnRoster,
    Ended,
    /// <summary>Before <see cref="Scheduling.Meeting.EarlyEntry"/> ahead of the start, or after the end.</summary>
    OutsideTimeWindow,
    Locked,
    /// <summary>The host removed this person; they stay out.</summary>
    Removed,
    /// <summary>The host denied this person in the lobby.</summary>
    Denied,
    /// <summary>The guest's invitation was withdrawn or is for another meeting.</summary>
    InvitationInvalid,
}

public static class RefusalCodes
{
    /// <summary>How an admission record names the refusal in the audit log: "refused: not-on-roster".</summary>
    public static string AuditName(this RefusalCode code) => code switch
    {
        RefusalCode.NoSuchMeeting => "no-such-meeting",
        RefusalCode.NotOnRoster => "not-on-roster",
        RefusalCode.Ended => "meeting-ended",
        RefusalCode.OutsideTimeWindow => "outside-time-window",
        RefusalCode.Locked => "meeting-locked",
        RefusalCode.Removed => "removed",
        RefusalCode.Denied => "denied",
        RefusalCode.InvitationInvalid => "invitation-invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(code), code, null),
    };
}

/// <param name="Code">Why, when <paramref name="Verdict"/> is <see cref="AdmissionVerdict.Refuse"/>; null otherwise.</param>
/// <param name="Message">A sentence for the person asking.</param>
public sealed record AdmissionDecision(AdmissionVerdict Verdict, RefusalCode? Code, string Message)
{
    public static AdmissionDecision Enter { get; } = new(AdmissionVerdict.Enter, null, "Welcome.");
    public static AdmissionDecision Lobby { get; } = new(AdmissionVerdict.WaitInLobby, null, "Waiting for the host to let you in.");

    public static AdmissionDecision Refuse(RefusalCode code, string message) => new(AdmissionVerdict.Refuse, code, message);
}

/// <summary>What the meeting page shows about the meeting to someone it concerns.</summary>
/// <param name="RunsIt">The host (or an admin): the page links to the lobby and controls in the console.</param>
/// <param name="Recordable">The meeting may be recorded: the page says so before Join.</param>
public sealed record MeetingView(string Title, bool RunsIt, bool Recordable);
