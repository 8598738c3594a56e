using System.Text.Json;
using System.Text.Json.Serialization;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;

namespace Conclave.Web.Signalling;

/// <summary>
/// A message the appliance sends (docs/signalling.md); client/src/protocol.ts declares the
/// same shapes. On the wire the "type" tag comes first, then the fields in camelCase.
/// </summary>
[JsonPolymorphic(TypeDiscriminatorPropertyName = "type")]
[JsonDerivedType(typeof(Lobby), "lobby")]
[JsonDerivedType(typeof(Joined), "joined")]
[JsonDerivedType(typeof(ParticipantJoined), "participant-joined")]
[JsonDerivedType(typeof(ParticipantLeft), "participant-left")]
[JsonDerivedType(typeof(Offer), "offer")]
[JsonDerivedType(typeof(Error), "error")]
public abstract record ServerMessage
{
    /// <summary>The browser waits until the host admits it (<see cref="Joined"/>) or denies it (<see cref="Error"/>).</summary>
    public sealed record Lobby(string Message) : ServerMessage;

    /// <param name="ParticipantId">The browser's own id in the room.</param>
    /// <param name="Participants">Those already there.</param>
    public sealed record Joined(string ParticipantId, IReadOnlyList<Participant> Participants) : ServerMessage;

    public sealed record ParticipantJoined(Participant Participant) : ServerMessage;

    public sealed record ParticipantLeft(string ParticipantId) : ServerMessage;

    /// <param name="Revision">The answer must name it.</param>
    /// <param name="Publish">The mids where the browser sends its own microphone and camera.</param>
    /// <param name="Tracks">Which mid carries which other participant's track.</param>
    public sealed record Offer(int Revision, string Sdp, PublishMids Publish, IReadOnlyList<TrackInfo> Tracks) : ServerMessage
    {
        public static Offer From(PeerOffer offer)
        {
            var tracks = new TrackInfo[offer.Tracks.Count];
            for (int i = 0; i < tracks.Length; i++)
            {
                var track = offer.Tracks[i];
                tracks[i] = new TrackInfo(track.Mid, track.PeerId, track.Kind);
            }
            return new Offer(offer.Revision, offer.Sdp, new PublishMids(offer.PublishAudioMid, offer.PublishVideoMid), tracks);
        }
    }

    /// <summary>The socket closes right after it with 1008 (policy violation).</summary>
    public sealed record Error(SignallingError Code, string Message) : ServerMessage;

    /// <summary>The message as one UTF-8 JSON text frame.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, SignallingJsonContext.Default.ServerMessage);
}

public sealed record Participant(string Id, string Name);

public sealed record PublishMids(string Audio, string Video);

/// <param name="Kind">"audio" or "video".</param>
public sealed record TrackInfo(string Mid, string ParticipantId, [property: JsonConverter(typeof(MediaKindJsonConverter))] MediaKind Kind);

internal sealed class MediaKindJsonConverter() : JsonStringEnumConverter<MediaKind>(JsonNamingPolicy.CamelCase);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerMessage))]
internal sealed partial class SignallingJsonContext : JsonSerializerContext;
