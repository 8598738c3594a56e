using System.Text.Json;
using System.Text.Json.Serialization;
using Conclave.Meetings.Admission;

namespace Conclave.Web.Signalling;

/// <summary>
/// The "code" of an error message (docs/signalling.md): the browser shows the message
/// beside it, and the socket closes with 1008 and the code as its reason.
/// </summary>
[JsonConverter(typeof(SignallingErrorJsonConverter))]
public enum SignallingError
{
    /// <summary>Not JSON, not a text frame, an unknown type or a bad field.</summary>
    Malformed,
    TooLarge,
    /// <summary>Anything before join, or a second join.</summary>
    OutOfOrder,
    /// <summary>The answer does not parse, does not match the offer or names the wrong revision.</summary>
    BadSdp,
    /// <summary>ICE consent expired or DTLS failed (or the appliance is stopping, or its key token cannot sign the credential).</summary>
    MediaClosed,
    /// <summary>No join within <see cref="SignallingLimits.JoinTimeout"/>.</summary>
    Timeout,
    LobbyFull,
    /// <summary>Too many sockets of this person or network, or too many media sessions of this person (SignallingLimitOptions).</summary>
    TooManyConnections,
    /// <summary>The meeting holds as many people as the appliance lets in.</summary>
    MeetingFull,
    /// <summary>Too many messages a second on this socket, or too many joins a minute.</summary>
    RateLimited,
    /// <summary>A join without <c>e2ee</c>: every meeting is end-to-end encrypted, with no fallback.</summary>
    E2eeRequired,
    /// <summary>A join into a meeting that may be recorded, from a page that did not show the recording notice.</summary>
    RecordingNoticeRequired,
    /// <summary>
    /// A share-start while someone else presents, from someone who is not the host; the one
    /// error after which the socket stays open (docs/content-sharing.md).
    /// </summary>
    ShareBusy,

    // Admission's refusals (RefusalCode), each audited.
    NoSuchMeeting,
    NotOnRoster,
    MeetingEnded,
    OutsideTimeWindow,
    MeetingLocked,
    Removed,
    Denied,
    InvitationInvalid,
}

public static class SignallingErrors
{
    /// <summary>The code as the browser reads it (client/src/protocol.ts mirrors these).</summary>
    public static string WireName(this SignallingError error) => error switch
    {
        SignallingError.Malformed => "malformed",
        SignallingError.TooLarge => "too-large",
        SignallingError.OutOfOrder => "out-of-order",
        SignallingError.BadSdp => "bad-sdp",
        SignallingError.MediaClosed => "media-closed",
        SignallingError.Timeout => "timeout",
        SignallingError.LobbyFull => "lobby-full",
        SignallingError.TooManyConnections => "too-many-connections",
        SignallingError.MeetingFull => "meeting-full",
        SignallingError.RateLimited => "rate-limited",
        SignallingError.RecordingNoticeRequired => "recording-notice-required",
        SignallingError.E2eeRequired => "e2ee-required",
        SignallingError.ShareBusy => "share-busy",
        SignallingError.NoSuchMeeting => "no-such-meeting",
        SignallingError.NotOnRoster => "not-on-roster",
        SignallingError.MeetingEnded => "meeting-ended",
        SignallingError.OutsideTimeWindow => "outside-time-window",
        SignallingError.MeetingLocked => "meeting-locked",
        SignallingError.Removed => "removed",
        SignallingError.Denied => "denied",
        SignallingError.InvitationInvalid => "invitation-invalid",
        _ => throw new ArgumentOutOfRangeException(nameof(error), error, null),
    };

    /// <summary>The one place an admission refusal becomes a signalling error.</summary>
    public static SignallingError From(RefusalCode refusal) => refusal switch
    {
        RefusalCode.NoSuchMeeting => SignallingError.NoSuchMeeting,
        RefusalCode.NotOnRoster => SignallingError.NotOnRoster,
        RefusalCode.Ended => SignallingError.MeetingEnded,
        RefusalCode.OutsideTimeWindow => SignallingError.OutsideTimeWindow,
        RefusalCode.Locked => SignallingError.MeetingLocked,
        RefusalCode.Removed => SignallingError.Removed,
        RefusalCode.Denied => SignallingError.Denied,
        RefusalCode.InvitationInvalid => SignallingError.InvitationInvalid,
        _ => throw new ArgumentOutOfRangeException(nameof(refusal), refusal, null),
    };
}

/// <summary>Writes a <see cref="SignallingError"/> as its wire name; the appliance sends codes and never reads one.</summary>
internal sealed class SignallingErrorJsonConverter : JsonConverter<SignallingError>
{
    public override SignallingError Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        throw new NotSupportedException("error codes go from the appliance to the browser only");

    public override void Write(Utf8JsonWriter writer, SignallingError value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.WireName());
}
