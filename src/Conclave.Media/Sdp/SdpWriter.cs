using System.Net.Sockets;
using System.Text;

namespace Conclave.Media.Sdp;

/// <summary>
/// Writes the appliance's offers (RFC 8866 syntax, JSEP RFC 8829 §5.2 content):
/// ICE-lite, one BUNDLE group over every section on one host candidate, rtcp-mux,
/// setup:actpass (RFC 8842 §5.2; the browser answers active, so we are the DTLS server).
/// </summary>
public static class SdpWriter
{
    /// <summary>RFC 8445 §5.1.2.1 priority of a host candidate: type preference 126, local 65535, component 1.</summary>
    private const uint HostCandidatePriority = 2130706431;

    public static string WriteOffer(SdpOffer offer)
    {
        var sdp = new StringBuilder(1024 + 900 * offer.Sections.Count);
        string family = offer.Candidate.AddressFamily == AddressFamily.InterNetworkV6 ? "IP6" : "IP4";
        string address = offer.Candidate.Address.ToString();
        int port = offer.Candidate.Port;
        Line(sdp, "v=0");
        Line(sdp, $"o=- {offer.SessionId} {offer.SessionVersion} IN {family} {address}");
        Line(sdp, "s=-");
        Line(sdp, "t=0 0");
        Line(sdp, "a=ice-lite");
        Line(sdp, "a=group:BUNDLE " + string.Join(' ', offer.Sections.Select(s => s.Mid)));
        Line(sdp, "a=msid-semantic: WMS *");
        foreach (var section in offer.Sections)
        {
            bool audio = section.Kind == MediaKind.Audio;
            Line(sdp, audio
                ? $"m=audio {port} UDP/TLS/RTP/SAVPF {SdpCodecs.OpusPayloadType}"
                : $"m=video {port} UDP/TLS/RTP/SAVPF {SdpCodecs.Vp8PayloadType} {SdpCodecs.RtxPayloadType}");
            Line(sdp, $"c=IN {family} {address}");
            Line(sdp, $"a=mid:{section.Mid}");
            Line(sdp, $"a=ice-ufrag:{offer.IceUfrag}");
            Line(sdp, $"a=ice-pwd:{offer.IcePassword}");
            Line(sdp, $"a=fingerprint:sha-256 {offer.DtlsFingerprintSha256}");
            Line(sdp, "a=setup:actpass");
            Line(sdp, $"a=candidate:1 1 udp {HostCandidatePriority} {address} {port} typ host");
            Line(sdp, "a=end-of-candidates");
            Line(sdp, "a=" + Direction(section.Direction));
            if (section.Direction == MediaDirection.RecvOnly)
            {
                Line(sdp, $"a=extmap:{SdpCodecs.TransportCcExtensionId} {SdpCodecs.TransportCcExtensionUri}");
            }
            Line(sdp, "a=rtcp-mux");
            Line(sdp, "a=rtcp-rsize");
            if (audio)
            {
                Line(sdp, $"a=rtpmap:{SdpCodecs.OpusPayloadType} opus/48000/2");
                Line(sdp, $"a=rtcp-fb:{SdpCodecs.OpusPayloadType} transport-cc");
                Line(sdp, $"a=fmtp:{SdpCodecs.OpusPayloadType} minptime=10;useinbandfec=1");
            }
            else
            {
                int vp8 = SdpCodecs.Vp8PayloadType;
                Line(sdp, $"a=rtpmap:{vp8} VP8/90000");
                Line(sdp, $"a=rtcp-fb:{vp8} transport-cc");
                Line(sdp, $"a=rtcp-fb:{vp8} ccm fir");
                Line(sdp, $"a=rtcp-fb:{vp8} nack");
                Line(sdp, $"a=rtcp-fb:{vp8} nack pli");
                Line(sdp, $"a=rtpmap:{SdpCodecs.RtxPayloadType} rtx/90000");
                Line(sdp, $"a=fmtp:{SdpCodecs.RtxPayloadType} apt={vp8}");
            }
            if (section.Stream is { } stream && section.Direction == MediaDirection.SendOnly)
            {
                Line(sdp, $"a=msid:{stream.StreamId} {stream.TrackId}");
                if (stream.RtxSsrc is uint rtx) Line(sdp, $"a=ssrc-group:FID {stream.Ssrc} {rtx}");
                SsrcLines(sdp, stream.Ssrc, stream);
                if (stream.RtxSsrc is uint rtxSsrc) SsrcLines(sdp, rtxSsrc, stream);
            }
        }
        return sdp.ToString();
    }

    private static void SsrcLines(StringBuilder sdp, uint ssrc, ForwardedStream stream)
    {
        Line(sdp, $"a=ssrc:{ssrc} cname:{stream.Cname}");
        Line(sdp, $"a=ssrc:{ssrc} msid:{stream.StreamId} {stream.TrackId}");
    }

    internal static string Direction(MediaDirection direction) => direction switch
    {
        MediaDirection.SendRecv => "sendrecv",
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        _ => "inactive",
    };

    // RFC 8866 §5: lines end in CRLF.
    private static void Line(StringBuilder sdp, string line) => sdp.Append(line).Append("\r\n");
}
