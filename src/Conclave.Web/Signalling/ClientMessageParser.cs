using System.Text.Json;
using System.Text.Unicode;

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
                    message = new ClientMessage.Join(room!);
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
                default:
                    error = $"unknown message type '{type}'";
                    return false;
            }
        }
    }

    public static bool IsValidRoom(string room) =>
        room.Length is > 0 and <= SignallingLimits.MaxRoomChars &&
        room.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

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
