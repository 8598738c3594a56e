namespace Conclave.Web.Signalling;

/// <summary>The "code" of an error message; the browser shows the accompanying text.</summary>
public static class SignallingErrorCode
{
    public const string Malformed = "malformed";
    public const string TooLarge = "too-large";
    public const string OutOfOrder = "out-of-order";
    public const string BadRoom = "bad-room";
    public const string BadName = "bad-name";
    public const string BadSdp = "bad-sdp";
    public const string MediaClosed = "media-closed";
    public const string Timeout = "timeout";
    public const string LobbyFull = "lobby-full";
    // Admission's refusals use Conclave.Meetings.Admission.RefusalCode (not-on-roster, meeting-locked, removed, denied, …).
}
