using System.Text;
using Conclave.Media.Sdp;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>What a participant's answer announces about itself.</summary>
/// <param name="AudioSsrc">Sent on the publish-audio mid (a=sendonly); null answers that section inactive.</param>
/// <param name="VideoSsrc">Sent on the publish-video mid with <paramref name="RtxSsrc"/> in a=ssrc-group:FID.</param>
internal sealed record AnswerIdentity(string IceUfrag, string IcePassword, string DtlsFingerprint, string Cname,
    uint? AudioSsrc, uint? VideoSsrc, uint? RtxSsrc);

/// <summary>
/// Writes the answer a browser would give an appliance offer (RFC 3264 §6, RFC 8829 §5.3):
/// the same m-sections in the same order, the publish mids answered sendonly with the
/// participant's SSRCs, forwarded (sendonly) sections answered recvonly, inactive ones
/// inactive; one BUNDLE transport with a=setup:active (the participant is the DTLS client).
/// Inactive sections are written short, as a browser may: they carry no transport.
/// </summary>
internal static class AnswerWriter
{
    public static string Write(ApplianceOffer offer, string publishAudioMid, string publishVideoMid, AnswerIdentity me, ulong sessionVersion)
    {
        var sdp = new StringBuilder(512 + 300 * offer.Sections.Count);
        Line(sdp, "v=0");
        Line(sdp, $"o=- 4611731400430051336 {sessionVersion} IN IP4 127.0.0.1");
        Line(sdp, "s=-");
        Line(sdp, "t=0 0");
        Line(sdp, "a=group:BUNDLE " + string.Join(' ', offer.Sections.Select(s => s.Mid)));
        Line(sdp, "a=msid-semantic: WMS *");
        // Session-level transport too: the appliance takes it when the first section is inactive.
        Transport(sdp, me);
        foreach (var section in offer.Sections)
        {
            uint? sendSsrc = section.Mid == publishAudioMid ? me.AudioSsrc : section.Mid == publishVideoMid ? me.VideoSsrc : null;
            var direction = section.Direction switch
            {
                MediaDirection.RecvOnly => sendSsrc is null ? MediaDirection.Inactive : MediaDirection.SendOnly,
                MediaDirection.SendOnly => MediaDirection.RecvOnly,
                _ => MediaDirection.Inactive,
            };
            bool audio = section.Kind == MediaKind.Audio;
            Line(sdp, $"m={(audio ? "audio" : "video")} 9 UDP/TLS/RTP/SAVPF {string.Join(' ', section.PayloadTypes)}");
            Line(sdp, "c=IN IP4 0.0.0.0");
            Line(sdp, $"a=mid:{section.Mid}");
            Line(sdp, "a=" + Direction(direction));
            Line(sdp, "a=rtcp-mux");
            if (direction == MediaDirection.Inactive) continue;
            Transport(sdp, me);
            Line(sdp, "a=rtcp-rsize");
            if (audio)
            {
                Line(sdp, $"a=rtpmap:{SdpCodecs.OpusPayloadType} opus/48000/2");
                Line(sdp, $"a=fmtp:{SdpCodecs.OpusPayloadType} minptime=10;useinbandfec=1");
            }
            else
            {
                Line(sdp, $"a=rtpmap:{SdpCodecs.Vp8PayloadType} VP8/90000");
                Line(sdp, $"a=rtcp-fb:{SdpCodecs.Vp8PayloadType} nack");
                Line(sdp, $"a=rtcp-fb:{SdpCodecs.Vp8PayloadType} nack pli");
                Line(sdp, $"a=rtpmap:{SdpCodecs.RtxPayloadType} rtx/90000");
                Line(sdp, $"a=fmtp:{SdpCodecs.RtxPayloadType} apt={SdpCodecs.Vp8PayloadType}");
            }
            if (sendSsrc is not uint ssrc || direction != MediaDirection.SendOnly) continue;
            string track = $"{me.Cname}-{(audio ? "audio" : "video")}";
            Line(sdp, $"a=msid:{me.Cname} {track}");
            if (!audio && me.RtxSsrc is uint rtx)
            {
                Line(sdp, $"a=ssrc-group:FID {ssrc} {rtx}");
                Ssrc(sdp, ssrc, me.Cname, track);
                Ssrc(sdp, rtx, me.Cname, track);
            }
            else
            {
                Ssrc(sdp, ssrc, me.Cname, track);
            }
        }
        return sdp.ToString();
    }

    private static void Transport(StringBuilder sdp, AnswerIdentity me)
    {
        Line(sdp, $"a=ice-ufrag:{me.IceUfrag}");
        Line(sdp, $"a=ice-pwd:{me.IcePassword}");
        Line(sdp, $"a=fingerprint:sha-256 {me.DtlsFingerprint}");
        Line(sdp, "a=setup:active");
    }

    private static void Ssrc(StringBuilder sdp, uint ssrc, string cname, string track)
    {
        Line(sdp, $"a=ssrc:{ssrc} cname:{cname}");
        Line(sdp, $"a=ssrc:{ssrc} msid:{cname} {track}");
    }

    private static string Direction(MediaDirection direction) => direction switch
    {
        MediaDirection.SendOnly => "sendonly",
        MediaDirection.RecvOnly => "recvonly",
        MediaDirection.SendRecv => "sendrecv",
        _ => "inactive",
    };

    // RFC 8866 §5: lines end in CRLF.
    private static void Line(StringBuilder sdp, string line) => sdp.Append(line).Append("\r\n");
}
