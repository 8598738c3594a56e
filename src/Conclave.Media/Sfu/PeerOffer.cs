using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>An SDP offer for a browser, with what its m-sections mean.</summary>
/// <param name="Revision">Increases by one per offer; the answer must name it.</param>
/// <param name="PublishAudioMid">The recvonly section where the browser sends its microphone.</param>
/// <param name="PublishVideoMid">The recvonly section where the browser sends its camera.</param>
/// <param name="PublishScreenMid">The recvonly section where the browser sends the screen it shares.</param>
/// <param name="Tracks">Each forwarded (sendonly) section and whose track it carries.</param>
public sealed record PeerOffer(int Revision, string Sdp, string PublishAudioMid, string PublishVideoMid, string PublishScreenMid, IReadOnlyList<TrackMapping> Tracks);

public sealed record TrackMapping(string Mid, string PeerId, MediaKind Kind, MediaSource Source);
