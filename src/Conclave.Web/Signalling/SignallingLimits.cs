namespace Conclave.Web.Signalling;

/// <summary>Bounds on what a browser may send; anything past them is refused, never buffered.</summary>
public static class SignallingLimits
{
    /// <summary>
    /// An answer for a meeting of 16 has ~34 m-sections at ~600 bytes each; 64 KiB
    /// leaves room and still bounds what one socket can make us hold.
    /// </summary>
    public const int MaxMessageBytes = 64 * 1024;

    public const int MaxRoomChars = 64;

    /// <summary>A browser's error text (a DOMException message) quoted in negotiation-failed.</summary>
    public const int MaxReasonChars = 256;

    /// <summary>A candidate line is well under 300 characters (RFC 8839 §5.1).</summary>
    public const int MaxCandidateChars = 512;

    /// <summary>An uncompressed P-256 point (65 bytes) in base64.</summary>
    public const int MaxSignatureKeyChars = 88;

    /// <summary>An MLS commit's base64: a commit with an UpdatePath for a meeting of 50 is well under this.</summary>
    public const int MaxCommitChars = 48 * 1024;

    /// <summary>A <c>data</c> message's ciphertext in base64 (a chat message, sealed).</summary>
    public const int MaxDataChars = 16 * 1024;

    /// <summary>Leaves one commit may list in <c>removes</c>: more than a meeting holds.</summary>
    public const int MaxRemoves = 256;

    /// <summary>Chat <c>data</c> messages one socket may send in any second; they are not counted among the other messages.</summary>
    public const int DataMessagesPerSecond = 20;

    /// <summary>
    /// Content <c>data</c> messages (annotation strokes, pointer, views) one socket may send in any
    /// second, counted apart from chat so drawing never silences chat, nor chat drawing.
    /// </summary>
    public const int ContentMessagesPerSecond = 40;

    /// <summary>A join that does not come within this time ends the socket.</summary>
    public static readonly TimeSpan JoinTimeout = TimeSpan.FromSeconds(30);
}
