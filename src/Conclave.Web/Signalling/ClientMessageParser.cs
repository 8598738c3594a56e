using System.Buffers.Text;
using System.Text.Json;
using System.Text.Unicode;
using Conclave.Web.E2ee;

namespace Conclave.Web.Signalling;

/// <summary>
/// Parses and validates one browser message. Every refusal says what is wrong in
/// words a developer can act on; nothing here throws on bad input.
/// </summary>
public static class ClientMessageParser
{
    private static readonly JsonDocumentOptions DocumentOptions = new() { MaxDepth = 4 };

    public static bool TryParse(ReadOnlyMemory<byte> utf8, out ClientMessage? message, out string? error)
    {
        message = null;
        // JsonDocument checks UTF-8 only when a string is read, and then throws.
        if (!Utf8.IsValid(utf8.Span))
        {
            error = "not valid JSON: the text is not UTF-8";
            return false;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(utf8, DocumentOptions);
        }
        catch (JsonException e)
        {
            error = $"not valid JSON: {e.Message}";
            return false;
        }
        using (document)
        {
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "a message must be a JSON object";
                return false;
            }
            if (!TryGetString(root, "type", 32, out var type, out error)) return false;
            switch (type)
            {
                case "join":
                    if (!TryGetString(root, "room", SignallingLimits.MaxRoomChars, out var room, out error)) return false;
                    if (!IsValidRoom(room!))
                    {
                        error = "room: use 1–64 letters, digits, '-' or '_'";
                        return false;
                    }
                    MlsSignatureKey? signatureKey = null;
                    if (root.TryGetProperty("e2ee", out var e2ee) && !TryGetSignatureKey(e2ee, out signatureKey, out error)) return false;
                    bool notice = root.TryGetProperty("recordingNotice", out var noticeElement) && noticeElement.ValueKind == JsonValueKind.True;
                    message = new ClientMessage.Join(room!, signatureKey, notice);
                    return true;
                case "answer":
                    if (!root.TryGetProperty("revision", out var revision) || revision.ValueKind != JsonValueKind.Number || !revision.TryGetInt32(out int revisionNumber) || revisionNumber < 1)
                    {
                        error = "answer: 'revision' must be the positive integer of the offer it answers";
                        return false;
                    }
                    // The socket's message limit (sized from the offer) already bounds the SDP.
                    if (!TryGetString(root, "sdp", int.MaxValue, out var sdp, out error)) return false;
                    message = new ClientMessage.Answer(revisionNumber, sdp!);
                    return true;
                case "candidate":
                    if (!TryGetString(root, "candidate", SignallingLimits.MaxCandidateChars, out var line, out error)) return false;
                    string? mid = root.TryGetProperty("sdpMid", out var midElement) && midElement.ValueKind == JsonValueKind.String ? TextOf(midElement) : null;
                    message = new ClientMessage.Candidate(line!, mid);
                    return true;
                case "restart-ice":
                    message = new ClientMessage.RestartIce();
                    return true;
                case "leave":
                    message = new ClientMessage.Leave();
                    return true;
                case "negotiation-failed":
                    if (!TryGetString(root, "reason", SignallingLimits.MaxReasonChars, out var reason, out error)) return false;
                    message = new ClientMessage.NegotiationFailed(reason!);
                    return true;
                case "mls-commit":
                    if (!TryGetEpoch(root, out ulong commitEpoch, out error)) return false;
                    if (!TryGetBase64(root, "commit", SignallingLimits.MaxCommitChars, out var commit, out error)) return false;
                    if (!TryGetLeaves(root, out var removes, out error)) return false;
                    message = new ClientMessage.MlsCommit(commitEpoch, commit!, removes!);
                    return true;
                case "mls-joined":
                    if (!TryGetEpoch(root, out ulong joinedEpoch, out error)) return false;
                    if (!root.TryGetProperty("leaf", out var leaf) || !TryGetLeaf(leaf, out uint leafIndex))
                    {
                        error = "mls-joined: 'leaf' must be a leaf index (0 to 2^32-1)";
                        return false;
                    }
                    message = new ClientMessage.MlsJoined(joinedEpoch, leafIndex);
                    return true;
                case "data":
                    if (!TryGetEpoch(root, out ulong dataEpoch, out error)) return false;
                    if (!TryGetString(root, "kind", 16, out var kind, out error)) return false;
                    if (kind is not ("chat" or "content"))
                    {
                        error = "data: 'kind' must be \"chat\" or \"content\"";
                        return false;
                    }
                    if (!TryGetBase64(root, "ct", SignallingLimits.MaxDataChars, out var ct, out error)) return false;
                    message = new ClientMessage.Data(dataEpoch, kind == "chat" ? DataKind.Chat : DataKind.Content, ct!);
                    return true;
                case "recording-start":
                    if (!TryGetString(root, "scope", 16, out var scope, out error)) return false;
                    if (scope is not ("media" or "media+chat"))
                    {
                        error = "recording-start: 'scope' must be \"media\" or \"media+chat\"";
                        return false;
                    }
                    message = new ClientMessage.RecordingStart(scope == "media" ? Meetings.Recordings.RecordingScope.Media : Meetings.Recordings.RecordingScope.MediaAndChat);
                    return true;
                case "recording-stop":
                    message = new ClientMessage.RecordingStop();
                    return true;
                case "share-start":
                    message = new ClientMessage.ShareStart();
                    return true;
                case "share-stop":
                    message = new ClientMessage.ShareStop();
                    return true;
                case "recording-escrow":
                    if (!TryGetString(root, "recordingId", 32, out var recordingId, out error)) return false;
                    if (recordingId!.Length != 32 || !recordingId.All(char.IsAsciiHexDigitLower))
                    {
                        error = "recording-escrow: 'recordingId' must be 32 lowercase hex digits";
                        return false;
                    }
                    if (!TryGetEpoch(root, out ulong escrowEpoch, out error)) return false;
                    if (!TryGetBase64(root, "blob", Recording.RecordingOptions.MaxEscrowBlobChars, out var blob, out error)) return false;
                    message = new ClientMessage.RecordingEscrow(recordingId, escrowEpoch, blob!);
                    return true;
                default:
                    error = $"unknown message type '{type}'";
                    return false;
            }
        }
    }

    public static bool IsValidRoom(string room) =>
        room.Length is > 0 and <= SignallingLimits.MaxRoomChars &&
        room.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    /// <summary>join's <c>e2ee</c>: an object whose <c>signatureKey</c> is an uncompressed P-256 point in base64.</summary>
    private static bool TryGetSignatureKey(JsonElement e2ee, out MlsSignatureKey? key, out string? error)
    {
        key = null;
        if (e2ee.ValueKind != JsonValueKind.Object)
        {
            error = "join: 'e2ee' must be an object";
            return false;
        }
        if (!TryGetBase64(e2ee, "signatureKey", SignallingLimits.MaxSignatureKeyChars, out var encoded, out error)) return false;
        key = MlsSignatureKey.TryCreate(Convert.FromBase64String(encoded!));
        if (key is null)
        {
            error = "join: 'e2ee.signatureKey' must be an uncompressed P-256 point (65 bytes, 0x04 || x || y, on the curve)";
            return false;
        }
        return true;
    }

    private static bool TryGetEpoch(JsonElement root, out ulong epoch, out string? error)
    {
        epoch = 0;
        if (!root.TryGetProperty("epoch", out var element) || element.ValueKind != JsonValueKind.Number || !element.TryGetUInt64(out epoch))
        {
            error = "'epoch' must be an MLS epoch (a whole number from 0)";
            return false;
        }
        error = null;
        return true;
    }

    private static bool TryGetLeaf(JsonElement element, out uint leaf)
    {
        leaf = 0;
        return element.ValueKind == JsonValueKind.Number && element.TryGetUInt32(out leaf);
    }

    private static bool TryGetLeaves(JsonElement root, out uint[]? leaves, out string? error)
    {
        leaves = null;
        if (!root.TryGetProperty("removes", out var array) || array.ValueKind != JsonValueKind.Array || array.GetArrayLength() > SignallingLimits.MaxRemoves)
        {
            error = $"mls-commit: 'removes' must be an array of at most {SignallingLimits.MaxRemoves} leaf indexes";
            return false;
        }
        leaves = new uint[array.GetArrayLength()];
        int i = 0;
        foreach (var element in array.EnumerateArray())
        {
            if (!TryGetLeaf(element, out leaves[i++]))
            {
                error = "mls-commit: each of 'removes' must be a leaf index (0 to 2^32-1)";
                return false;
            }
        }
        error = null;
        return true;
    }

    /// <summary>A non-empty string of standard base64 with padding (RFC 4648 §4), nothing else: no whitespace, no line breaks.</summary>
    private static bool TryGetBase64(JsonElement root, string property, int maxChars, out string? value, out string? error)
    {
        if (!TryGetString(root, property, maxChars, out value, out error)) return false;
        if (value!.Length == 0 || value.Length % 4 != 0 || value.AsSpan().IndexOfAny(" \t\r\n") >= 0 || !Base64.IsValid(value))
        {
            error = $"'{property}' must be standard base64 with padding";
            return false;
        }
        return true;
    }

    private static bool TryGetString(JsonElement root, string property, int maxChars, out string? value, out string? error)
    {
        value = null;
        if (!root.TryGetProperty(property, out var element) || element.ValueKind != JsonValueKind.String)
        {
            error = $"'{property}' must be a string";
            return false;
        }
        value = TextOf(element);
        if (value is null)
        {
            error = $"'{property}' is not Unicode text (invalid UTF-8, or an unpaired surrogate escape such as \\ud800)";
            return false;
        }
        if (value.Length > maxChars)
        {
            error = $"'{property}' is longer than {maxChars} characters";
            return false;
        }
        error = null;
        return true;
    }

    /// <summary>
    /// A JSON string's text, or null when it has none: JsonDocument.Parse leaves the UTF-8
    /// inside strings unchecked until one is read, and RFC 8259 §8.2 lets "\ud800" escape
    /// half a surrogate pair, which no UTF-16 string holds; GetString throws on either.
    /// </summary>
    private static string? TextOf(JsonElement element)
    {
        try
        {
            return element.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }
}
