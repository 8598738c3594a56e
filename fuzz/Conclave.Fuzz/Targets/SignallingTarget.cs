using System.Text.Json;
using Conclave.Web.Signalling;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// One WebSocket message from a browser (docs/signalling.md). What parses keeps within
/// the signalling limits, and written back as JSON parses to an equal message.
/// </summary>
public static class SignallingTarget
{
    public static void Run(ReadOnlySpan<byte> utf8)
    {
        bool parsed = ClientMessageParser.TryParse(utf8.ToArray(), out var message, out string? error);
        Invariant.Holds(parsed == message is not null && parsed == error is null, "TryParse's result, message and error disagree");
        if (!parsed) return;
        CheckLimits(message!);
        Invariant.Holds(ClientMessageParser.TryParse(Write(message!), out var again, out _) && again == message, "a message written back as JSON parses differently");
    }

    private static void CheckLimits(ClientMessage message)
    {
        switch (message)
        {
            case ClientMessage.Join join:
                Invariant.Holds(ClientMessageParser.IsValidRoom(join.Room), "a join's room is not a valid room");
                break;
            case ClientMessage.Answer answer:
                Invariant.Holds(answer.Revision >= 1, "an answer's revision is out of bounds");
                break;
            case ClientMessage.Candidate candidate:
                Invariant.Holds(candidate.Line.Length <= SignallingLimits.MaxCandidateChars, "a candidate line is too long");
                break;
            case ClientMessage.NegotiationFailed failed:
                Invariant.Holds(failed.Reason.Length <= SignallingLimits.MaxReasonChars, "a negotiation-failed reason is too long");
                break;
        }
    }

    /// <summary>The message as the browser client sends it (docs/signalling.md).</summary>
    private static byte[] Write(ClientMessage message)
    {
        var output = new MemoryStream();
        using (var json = new Utf8JsonWriter(output))
        {
            json.WriteStartObject();
            switch (message)
            {
                case ClientMessage.Join join:
                    json.WriteString("type", "join");
                    json.WriteString("room", join.Room);
                    break;
                case ClientMessage.Answer answer:
                    json.WriteString("type", "answer");
                    json.WriteNumber("revision", answer.Revision);
                    json.WriteString("sdp", answer.Sdp);
                    break;
                case ClientMessage.Candidate candidate:
                    json.WriteString("type", "candidate");
                    json.WriteString("candidate", candidate.Line);
                    if (candidate.SdpMid is not null) json.WriteString("sdpMid", candidate.SdpMid);
                    break;
                case ClientMessage.RestartIce:
                    json.WriteString("type", "restart-ice");
                    break;
                case ClientMessage.Leave:
                    json.WriteString("type", "leave");
                    break;
                case ClientMessage.NegotiationFailed failed:
                    json.WriteString("type", "negotiation-failed");
                    json.WriteString("reason", failed.Reason);
                    break;
                default:
                    throw new InvalidOperationException($"the round trip does not know {message.GetType().Name}: add it here");
            }
            json.WriteEndObject();
        }
        return output.ToArray();
    }
}
