using System.Text.Json;
using Conclave.Web.E2ee;
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
                Invariant.Holds(join.SignatureKey is null || join.SignatureKey.Bytes.Length == MlsSignatureKey.Length, "a join's signature key is not a 65-byte point");
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
            case ClientMessage.MlsCommit commit:
                Invariant.Holds(commit.Commit.Length is > 0 and <= SignallingLimits.MaxCommitChars, "an mls-commit's commit is empty or too long");
                Invariant.Holds(commit.Removes.Length <= SignallingLimits.MaxRemoves, "an mls-commit lists too many removes");
                break;
            case ClientMessage.Data data:
                Invariant.Holds(data.Ct.Length is > 0 and <= SignallingLimits.MaxDataChars, "a data message's ciphertext is empty or too long");
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
                    if (join.SignatureKey is { } key)
                    {
                        json.WriteStartObject("e2ee");
                        json.WriteString("signatureKey", Convert.ToBase64String(key.Bytes));
                        json.WriteEndObject();
                    }
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
                case ClientMessage.MlsCommit commit:
                    json.WriteString("type", "mls-commit");
                    json.WriteNumber("epoch", commit.Epoch);
                    json.WriteString("commit", commit.Commit);
                    json.WriteStartArray("removes");
                    foreach (uint leaf in commit.Removes) json.WriteNumberValue(leaf);
                    json.WriteEndArray();
                    break;
                case ClientMessage.MlsJoined joined:
                    json.WriteString("type", "mls-joined");
                    json.WriteNumber("epoch", joined.Epoch);
                    json.WriteNumber("leaf", joined.Leaf);
                    break;
                case ClientMessage.Data data:
                    json.WriteString("type", "data");
                    json.WriteNumber("epoch", data.Epoch);
                    json.WriteString("kind", "chat");
                    json.WriteString("ct", data.Ct);
                    break;
                default:
                    throw new InvalidOperationException($"the round trip does not know {message.GetType().Name}: add it here");
            }
            json.WriteEndObject();
        }
        return output.ToArray();
    }
}
