namespace Conclave.Meetings.Admission;

public enum AdmissionVerdict
{
    Enter,
    WaitInLobby,
    Refuse,
}

/// <summary>Why someone was refused: a stable code for clients and tests, and a sentence for people.</summary>
public static class RefusalCode
{
    public const string NoSuchMeeting = "no-such-meeting";
    public const string NotOnRoster = "not-on-roster";
    public const string Ended = "meeting-ended";
    public const string OutsideTimeWindow = "outside-time-window";
    public const string Locked = "meeting-locked";
    public const string Removed = "removed";
    public const string Denied = "denied";
    public const string InvitationInvalid = "invitation-invalid";
}

public sealed record AdmissionDecision(AdmissionVerdict Verdict, string? Code, string Message)
{
    public static AdmissionDecision Enter { get; } = new(AdmissionVerdict.Enter, null, "Welcome.");
    public static AdmissionDecision Lobby { get; } = new(AdmissionVerdict.WaitInLobby, null, "Waiting for the host to let you in.");

    public static AdmissionDecision Refuse(string code, string message) => new(AdmissionVerdict.Refuse, code, message);
}

/// <summary>What the meeting page shows about the meeting to someone it concerns.</summary>
/// <param name="RunsIt">The host (or an admin): the page links to the lobby and controls in the console.</param>
public sealed record MeetingView(string Title, bool RunsIt);
