namespace Conclave.Recording.Recorder;

/// <summary>Why a recording ended, as its manifest's <c>endedBy</c> says.</summary>
public static class EndedBy
{
    public const string Stop = "stop";
    public const string MeetingEnded = "meeting-ended";
    public const string DiskFull = "disk-full";

    /// <summary>Storage failed some other way (an I/O error other than a full disk, the token refusing to wrap).</summary>
    public const string WriteFailed = "write-failed";

    public const string RecoveredAfterCrash = "recovered-after-crash";
}
