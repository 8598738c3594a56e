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
[JsonDerivedType(typeof(MlsCreate), "mls-create")]
[JsonDerivedType(typeof(MlsJoin), "mls-join")]
[JsonDerivedType(typeof(MlsCommit), "mls-commit")]
[JsonDerivedType(typeof(MlsStale), "mls-stale")]
[JsonDerivedType(typeof(MlsRemove), "mls-remove")]
[JsonDerivedType(typeof(MlsPublish), "mls-publish")]
[JsonDerivedType(typeof(Data), "data")]
[JsonDerivedType(typeof(RecordingRequested), "recording-requested")]
[JsonDerivedType(typeof(RecordingStopping), "recording-stopping")]
[JsonDerivedType(typeof(RecordingState), "recording-state")]
[JsonDerivedType(typeof(Presenter), "presenter")]
public abstract record ServerMessage
{
    /// <summary>The browser waits until the host admits it (<see cref="Joined"/>) or denies it (<see cref="Error"/>).</summary>
    public sealed record Lobby(string Message) : ServerMessage;

    /// <param name="ParticipantId">The browser's own id in the room.</param>
    /// <param name="Participants">Those already there.</param>
    /// <param name="E2ee">This participant's MLS credential, and what its GroupInfo requests need.</param>
    public sealed record Joined(string ParticipantId, IReadOnlyList<Participant> Participants, JoinedE2ee E2ee) : ServerMessage;

    public sealed record ParticipantJoined(Participant Participant) : ServerMessage;

    public sealed record ParticipantLeft(string ParticipantId) : ServerMessage;

    /// <param name="Revision">The answer must name it.</param>
    /// <param name="Publish">The mids where the browser sends its own microphone, camera and screen.</param>
    /// <param name="Tracks">Which mid carries which other participant's track.</param>
    public sealed record Offer(int Revision, string Sdp, PublishMids Publish, IReadOnlyList<TrackInfo> Tracks) : ServerMessage
    {
        public static Offer From(PeerOffer offer)
        {
            var tracks = new TrackInfo[offer.Tracks.Count];
            for (int i = 0; i < tracks.Length; i++)
            {
                var track = offer.Tracks[i];
                tracks[i] = new TrackInfo(track.Mid, track.PeerId, track.Kind, track.Source.WireName());
            }
            return new Offer(offer.Revision, offer.Sdp, new PublishMids(offer.PublishAudioMid, offer.PublishVideoMid, offer.PublishScreenMid), tracks);
        }
    }

    /// <summary>The socket closes right after it with 1008 (policy violation).</summary>
    public sealed record Error(SignallingError Code, string Message) : ServerMessage;

    /// <summary>You found the MLS group: create it (epoch 0) with this group id, then PUT its GroupInfo.</summary>
    /// <param name="GroupId">Base64.</param>
    public sealed record MlsCreate(string GroupId) : ServerMessage;

    /// <summary>The GroupInfo of <paramref name="Epoch"/> is available: GET it and commit externally at that epoch.</summary>
    public sealed record MlsJoin(ulong Epoch) : ServerMessage;

    /// <summary>An accepted commit, sent in order to everyone in the room, the committer included (its acknowledgement).</summary>
    /// <param name="Epoch">The epoch the commit was made at; the group is at the next one after it.</param>
    /// <param name="Commit">The MLSMessage as the committer sent it (base64).</param>
    /// <param name="ParticipantId">The committer.</param>
    public sealed record MlsCommit(ulong Epoch, string Commit, string ParticipantId) : ServerMessage;

    /// <summary>Your commit lost the race: the group is at <paramref name="Epoch"/> now.</summary>
    public sealed record MlsStale(ulong Epoch) : ServerMessage;

    /// <summary>Please commit a Remove of <paramref name="Leaf"/>, whose participant left.</summary>
    public sealed record MlsRemove(ulong Epoch, uint Leaf, string ParticipantId) : ServerMessage;

    /// <summary>Please PUT the GroupInfo of <paramref name="Epoch"/>: its committer did not.</summary>
    public sealed record MlsPublish(ulong Epoch) : ServerMessage;

    /// <summary>Another participant's encrypted application message, relayed as it came.</summary>
    /// <param name="Ct">The ciphertext (base64); the appliance cannot read it and keeps none of it.</param>
    /// <param name="ParticipantId">The sender.</param>
    public sealed record Data(ulong Epoch, [property: JsonConverter(typeof(DataKindJsonConverter))] DataKind Kind, string Ct, string ParticipantId) : ServerMessage;

    /// <summary>To a host: commit the recording into the group context (docs/recording.md).</summary>
    /// <param name="Scope">"media" or "media+chat".</param>
    /// <param name="EscrowKeys">The registered escrow keys' SubjectPublicKeyInfo, base64.</param>
    public sealed record RecordingRequested(string RecordingId, string Scope, IReadOnlyList<string> EscrowKeys) : ServerMessage;

    /// <summary>To a host: commit the group context without the recording.</summary>
    public sealed record RecordingStopping(string RecordingId) : ServerMessage;

    /// <summary>What the appliance stores now: "off", "requested", "on", "stopped" or "refused" (to the asker only).</summary>
    public sealed record RecordingState(string State, string? RecordingId, string? Reason) : ServerMessage;

    /// <summary>Who presents a screen now, to everyone in the room (docs/content-sharing.md); null when nobody does.</summary>
    public sealed record Presenter(string? ParticipantId) : ServerMessage;

    /// <summary>The message as one UTF-8 JSON text frame.</summary>
    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, SignallingJsonContext.Default.ServerMessage);
}

public sealed record Participant(string Id, string Name);

/// <summary><c>joined</c>'s end-to-end encryption part (docs/signalling.md, "Credential").</summary>
/// <param name="Credential">The ConclaveCredential for this participant's MLS leaf (base64).</param>
/// <param name="CaPublicKey">The credential CA's SubjectPublicKeyInfo, DER (base64).</param>
/// <param name="GroupToken">The bearer token of this participant's GroupInfo requests.</param>
public sealed record JoinedE2ee(string Credential, string CaPublicKey, string GroupToken);

/// <summary>What a <c>data</c> message carries; each kind has its own SFrame stream context.</summary>
public enum DataKind
{
    Chat,

    /// <summary>Content sharing: file offers, views and annotations (docs/content-sharing.md); relayed, never recorded.</summary>
    Content,
}

public sealed record PublishMids(string Audio, string Video, string Screen);

/// <param name="Kind">"audio" or "video".</param>
/// <param name="Source">"microphone", "camera" or "screen".</param>
public sealed record TrackInfo(string Mid, string ParticipantId, [property: JsonConverter(typeof(MediaKindJsonConverter))] MediaKind Kind, string Source);

internal sealed class MediaKindJsonConverter() : JsonStringEnumConverter<MediaKind>(JsonNamingPolicy.CamelCase);

internal sealed class DataKindJsonConverter() : JsonStringEnumConverter<DataKind>(JsonNamingPolicy.CamelCase);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web)]
[JsonSerializable(typeof(ServerMessage))]
internal sealed partial class SignallingJsonContext : JsonSerializerContext;
