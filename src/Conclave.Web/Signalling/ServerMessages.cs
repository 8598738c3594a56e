using System.Text.Json;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;

namespace Conclave.Web.Signalling;

/// <summary>The messages the appliance sends (docs/signalling.md), as UTF-8 JSON.</summary>
public static class ServerMessages
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public sealed record ParticipantInfo(string Id, string Name);

    public static string Joined(string participantId, IReadOnlyList<ParticipantInfo> participants) =>
        JsonSerializer.Serialize(new { type = "joined", participantId, participants }, Options);

    public static string ParticipantJoined(ParticipantInfo participant) =>
        JsonSerializer.Serialize(new { type = "participant-joined", participant }, Options);

    public static string ParticipantLeft(string participantId) =>
        JsonSerializer.Serialize(new { type = "participant-left", participantId }, Options);

    public static string Offer(PeerOffer offer) => JsonSerializer.Serialize(new
    {
        type = "offer",
        revision = offer.Revision,
        sdp = offer.Sdp,
        publish = new { audio = offer.PublishAudioMid, video = offer.PublishVideoMid },
        tracks = offer.Tracks.Select(t => new { mid = t.Mid, participantId = t.PeerId, kind = t.Kind == MediaKind.Audio ? "audio" : "video" }),
    }, Options);

    /// <summary>The browser waits in the lobby until the host admits it ("joined") or denies it ("error").</summary>
    public static string Lobby(string message) =>
        JsonSerializer.Serialize(new { type = "lobby", message }, Options);

    public static string Error(string code, string message) =>
        JsonSerializer.Serialize(new { type = "error", code, message }, Options);
}
