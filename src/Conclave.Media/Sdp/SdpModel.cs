using System.Net;

namespace Conclave.Media.Sdp;

public enum MediaKind
{
    Audio,
    Video,
}

/// <summary>An m-section's direction, from the point of view of whoever wrote the document (RFC 8866 §6.7).</summary>
public enum MediaDirection
{
    SendRecv,
    SendOnly,
    RecvOnly,
    Inactive,
}

/// <summary>An offer the appliance writes (docs/signalling.md "The SDP the appliance offers").</summary>
public sealed record SdpOffer(
    ulong SessionId,
    ulong SessionVersion,
    string IceUfrag,
    string IcePassword,
    string DtlsFingerprintSha256,
    IPEndPoint Candidate,
    IReadOnlyList<OfferedSection> Sections);

/// <param name="Stream">For a sendonly section: the forwarded stream it carries.</param>
public sealed record OfferedSection(string Mid, MediaKind Kind, MediaDirection Direction, ForwardedStream? Stream);

/// <summary>A participant's track as another participant's browser sees it (RFC 8830 msid).</summary>
public sealed record ForwardedStream(string StreamId, string TrackId, string Cname, uint Ssrc, uint? RtxSsrc);

/// <summary>What the appliance needs from a browser's answer.</summary>
public sealed record SdpAnswer(
    string IceUfrag,
    string IcePassword,
    string DtlsFingerprintSha256,
    string DtlsSetup,
    IReadOnlyList<AnsweredSection> Sections);

/// <param name="Rejected">Port 0 (RFC 8866 §5.14, RFC 3264 §6).</param>
/// <param name="Ssrc">The primary SSRC the browser sends in this section, if it sends.</param>
/// <param name="RtxSsrc">Its retransmission SSRC, from a=ssrc-group:FID (RFC 5576 §4.2, RFC 4588).</param>
public sealed record AnsweredSection(
    string Mid,
    MediaKind Kind,
    bool Rejected,
    MediaDirection Direction,
    uint? Ssrc,
    uint? RtxSsrc,
    IReadOnlyList<int> PayloadTypes,
    IReadOnlyDictionary<int, string> ExtensionIds,
    bool RtcpMux);

/// <summary>Codecs and header extensions the appliance offers, one set for every session.</summary>
public static class SdpCodecs
{
    public const byte OpusPayloadType = 111;
    public const byte Vp8PayloadType = 96;
    public const byte RtxPayloadType = 97;

    /// <summary>The transport-wide sequence number extension, offered where browsers publish.</summary>
    public const byte TransportCcExtensionId = 3;

    public const string TransportCcExtensionUri = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01";
}
