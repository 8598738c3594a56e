using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Web.Signalling;
using Xunit.Sdk;

namespace Conclave.Web.Tests;

/// <summary>
/// One message of every <see cref="ServerMessage"/> type, found by reflection, and an error of
/// every <see cref="SignallingError"/>: a new message type without a sample here fails the tests.
/// Lists hold at least one element, so the client's element types are checked too.
/// </summary>
internal static class ServerMessageSamples
{
    public static readonly PeerOffer PeerOffer = new(2, "v=0\r\n", "0", "1", "2",
        [new TrackMapping("3", "p1", MediaKind.Audio, MediaSource.Microphone), new TrackMapping("4", "p1", MediaKind.Video, MediaSource.Camera),
         new TrackMapping("5", "p1", MediaKind.Video, MediaSource.Screen)]);

    private static readonly Dictionary<Type, ServerMessage> OnePerType = new()
    {
        [typeof(ServerMessage.Lobby)] = new ServerMessage.Lobby("Waiting for the host to let you in."),
        [typeof(ServerMessage.Joined)] = new ServerMessage.Joined("p2", [new Participant("p1", "Ada")], new JoinedE2ee("AQID", "MFkw", "tOkEn_-")),
        [typeof(ServerMessage.ParticipantJoined)] = new ServerMessage.ParticipantJoined(new Participant("p3", "Bob")),
        [typeof(ServerMessage.ParticipantLeft)] = new ServerMessage.ParticipantLeft("p3"),
        [typeof(ServerMessage.Offer)] = ServerMessage.Offer.From(PeerOffer),
        [typeof(ServerMessage.Error)] = new ServerMessage.Error(SignallingError.NotOnRoster, "You are not on this meeting's roster."),
        [typeof(ServerMessage.MlsCreate)] = new ServerMessage.MlsCreate("AAECAwQFBgcICQoLDA0ODw=="),
        [typeof(ServerMessage.MlsJoin)] = new ServerMessage.MlsJoin(3),
        [typeof(ServerMessage.MlsCommit)] = new ServerMessage.MlsCommit(3, "AAEAAQ==", "p1"),
        [typeof(ServerMessage.MlsStale)] = new ServerMessage.MlsStale(4),
        [typeof(ServerMessage.MlsRemove)] = new ServerMessage.MlsRemove(4, 2, "p3"),
        [typeof(ServerMessage.MlsPublish)] = new ServerMessage.MlsPublish(4),
        [typeof(ServerMessage.Data)] = new ServerMessage.Data(4, DataKind.Chat, "c2VhbGVk", "p1"),
        [typeof(ServerMessage.RecordingRequested)] = new ServerMessage.RecordingRequested("0123456789abcdef0123456789abcdef", "media+chat", ["MFkwEwYHKoZIzj0CAQ=="]),
        [typeof(ServerMessage.RecordingStopping)] = new ServerMessage.RecordingStopping("0123456789abcdef0123456789abcdef"),
        [typeof(ServerMessage.RecordingState)] = new ServerMessage.RecordingState("stopped", "0123456789abcdef0123456789abcdef", "disk-full"),
        [typeof(ServerMessage.Presenter)] = new ServerMessage.Presenter("p1"),
    };

    /// <summary>Every concrete message type the appliance declares.</summary>
    public static IReadOnlyList<Type> MessageTypes { get; } =
        typeof(ServerMessage).Assembly.GetTypes().Where(t => t.IsSubclassOf(typeof(ServerMessage)) && !t.IsAbstract).ToList();

    /// <summary>One message per type, then an error for every code and data of every kind.</summary>
    public static IReadOnlyList<ServerMessage> All() =>
    [
        .. MessageTypes.Where(t => t != typeof(ServerMessage.Error)).Select(Of),
        .. Enum.GetValues<SignallingError>().Select(code => new ServerMessage.Error(code, $"what went wrong ({code})")),
        .. Enum.GetValues<DataKind>().Select(kind => new ServerMessage.Data(4, kind, "c2VhbGVk", "p1")),
    ];

    public static ServerMessage Of(Type type) =>
        OnePerType.TryGetValue(type, out var sample) ? sample : throw new XunitException($"{type.Name} has no sample: add one to {nameof(ServerMessageSamples)}");
}
