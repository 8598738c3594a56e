using System.Net;
using Conclave.Media.Sdp;
using CsCheck;

namespace Conclave.Media.Tests.Sdp;

public sealed class SdpTests
{
    private const string Fingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

    internal static SdpOffer Offer() => new(42, 3, "uFrAg123", "pAsSwOrD0123456789abcdef", Fingerprint, new IPEndPoint(IPAddress.Loopback, 10000),
    [
        new OfferedSection("0", MediaKind.Audio, MediaDirection.RecvOnly, null),
        new OfferedSection("1", MediaKind.Video, MediaDirection.RecvOnly, null),
        new OfferedSection("2", MediaKind.Audio, MediaDirection.SendOnly, new ForwardedStream("peer-a", "peer-a-audio", "cname-a", 1111, null)),
        new OfferedSection("3", MediaKind.Video, MediaDirection.SendOnly, new ForwardedStream("peer-a", "peer-a-video", "cname-a", 2222, 3333)),
        new OfferedSection("4", MediaKind.Video, MediaDirection.Inactive, null),
    ]);

    /// <summary>The answer Chromium gives to <see cref="Offer"/>, in its shape: media-level ICE/DTLS, ssrc-group FID.</summary>
    internal static string Answer(string setup = "active", string fingerprint = "sha-256 " + Fingerprint, string extraFirstSection = "") => string.Join("\r\n",
        "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1 2 3 4", "a=msid-semantic: WMS stream",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:bRoW", "a=ice-pwd:browserpassword0123456789", "a=ice-options:trickle",
        $"a=fingerprint:{fingerprint}", $"a=setup:{setup}", "a=mid:0",
        "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        "a=sendonly", "a=msid:stream track-audio", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=ssrc:5001 cname:browser", extraFirstSection,
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=ice-ufrag:bRoW", "a=ice-pwd:browserpassword0123456789",
        $"a=fingerprint:{fingerprint}", $"a=setup:{setup}", "a=mid:1", "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000",
        "a=ssrc-group:FID 6001 6002", "a=ssrc:6001 cname:browser", "a=ssrc:6002 cname:browser",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:2", "a=recvonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=mid:3", "a=recvonly", "a=rtcp-mux",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=mid:4", "a=inactive", "a=rtcp-mux", "") ;

    [Fact]
    public void The_offer_is_ice_lite_bundled_on_one_host_candidate_with_actpass_RFC_8842()
    {
        string sdp = SdpWriter.WriteOffer(Offer());
        var lines = sdp.Split("\r\n");
        Assert.Equal("v=0", lines[0]);
        Assert.Contains("a=ice-lite", lines);
        Assert.Contains("a=group:BUNDLE 0 1 2 3 4", lines);
        Assert.Equal(5, lines.Count(l => l == "a=setup:actpass"));
        Assert.Equal(5, lines.Count(l => l == "a=candidate:1 1 udp 2130706431 127.0.0.1 10000 typ host"));
        Assert.Equal(5, lines.Count(l => l == "a=rtcp-mux"));
        Assert.Equal(2, lines.Count(l => l.StartsWith("a=extmap:3 ", StringComparison.Ordinal))); // where browsers publish only
        Assert.Contains("a=msid:peer-a peer-a-video", lines);
        Assert.Contains("a=ssrc-group:FID 2222 3333", lines);
        Assert.Contains("a=ssrc:3333 msid:peer-a peer-a-video", lines);
        Assert.Contains("a=inactive", lines);
        Assert.EndsWith("\r\n", sdp);
        Assert.DoesNotContain("\n\n", sdp);
    }

    [Fact]
    public void The_section_a_browser_publishes_video_in_offers_nack_and_rtx_so_it_retransmits_on_its_rtx_ssrc_RFC_4588()
    {
        var sections = SdpWriter.WriteOffer(Offer()).Split("m=");
        var publish = sections.Single(section => section.Contains("a=mid:1\r\n", StringComparison.Ordinal)).Split("\r\n");

        Assert.StartsWith("video 10000 UDP/TLS/RTP/SAVPF 96 97", publish[0]);
        Assert.Contains("a=recvonly", publish);
        Assert.Contains("a=rtcp-fb:96 nack", publish);
        Assert.Contains("a=rtpmap:97 rtx/90000", publish);
        Assert.Contains("a=fmtp:97 apt=96", publish);
        Assert.True(SdpParser.TryParseAnswer(Answer(), out var answer, out var error), error);
        Assert.Equal((6001u, 6002u), (answer!.Sections[1].Ssrc, answer.Sections[1].RtxSsrc)); // the browser's a=ssrc-group:FID
    }

    [Fact]
    public void A_chromium_shaped_answer_parses_and_answers_the_offer()
    {
        Assert.True(SdpParser.TryParseAnswer(Answer(), out var answer, out var error), error);
        Assert.Equal("bRoW", answer!.IceUfrag);
        Assert.Equal(Fingerprint, answer.DtlsFingerprintSha256);
        Assert.Equal(5001u, answer.Sections[0].Ssrc);
        Assert.Null(answer.Sections[0].RtxSsrc);
        Assert.Equal((6001u, 6002u), (answer.Sections[1].Ssrc!.Value, answer.Sections[1].RtxSsrc!.Value));
        Assert.Equal(MediaDirection.RecvOnly, answer.Sections[3].Direction);
        Assert.Equal("http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", answer.Sections[0].ExtensionIds[3]);
        Assert.True(SdpAnswerValidator.TryValidate(Offer(), answer, out error), error);
    }

    public static TheoryData<string, string> BadAnswers => new()
    {
        { Answer(setup: "passive"), "a=setup:passive: the browser must be the DTLS client (active)" },
        { Answer(fingerprint: "sha-1 AA:BB"), "a=fingerprint must use sha-256" },
        { Answer(fingerprint: "sha-256 AA:BB"), "32 hexadecimal bytes" },
        { Answer().Replace("a=ice-ufrag:bRoW", "a=ice-ufrag:b"), "a=ice-ufrag must be 4–256 characters" },
        { Answer().Replace("a=ice-pwd:browserpassword0123456789", "a=ice-pwd:short"), "a=ice-pwd must be 22–256 characters" },
        { Answer().Replace("a=mid:1", "a=mid:0"), "a=mid:0 is used twice" },
        { Answer().Replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:4", "m=application 9 UDP/DTLS/SCTP webrtc-datachannel\r\nc=IN IP4 0.0.0.0\r\na=mid:4"), "media 'application' is not offered" },
        { Answer().Replace("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:2", "m=audio 70000 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=mid:2"), "the port '70000'" },
        { Answer(extraFirstSection: "a=ssrc:notanumber cname:x"), "a=ssrc needs a 32-bit SSRC" },
        { Answer(extraFirstSection: "a=ssrc-group:FID 1"), "a=ssrc-group:FID needs two SSRCs" },
        { Answer(extraFirstSection: "a=extmap:0 urn:x"), "a=extmap needs an id of 1–255" },
        { "v=0\r\nthis is not sdp\r\n", "line 2: expected '<type>=<value>'" },
        { "v=1\r\n", "line 1: an SDP must start with v=0" },
        { "v=0\r\ns=-\r\n", "the SDP has no m-section" },
        { new string('a', SdpParser.MaxSdpBytes + 1), "at most 65536 are accepted" },
    };

    [Theory]
    [MemberData(nameof(BadAnswers))]
    public void A_bad_answer_is_refused_with_a_message_saying_why(string sdp, string expected)
    {
        Assert.False(SdpParser.TryParseAnswer(sdp, out var answer, out var error));
        Assert.Null(answer);
        Assert.Contains(expected, error);
    }

    public static TheoryData<string, string> MismatchedAnswers => new()
    {
        { Answer().Replace("m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\nc=IN IP4 0.0.0.0\r\na=mid:4\r\na=inactive\r\na=rtcp-mux\r\n", ""), "the answer has 4 m-sections; the offer had 5" },
        { Answer().Replace("a=mid:2\r\na=recvonly", "a=mid:2\r\na=sendonly"), "mid 2: a=sendonly cannot answer a=sendonly" },
        { Answer().Replace("a=mid:3\r\na=recvonly\r\na=rtcp-mux", "a=mid:3\r\na=recvonly"), "mid 3: a=rtcp-mux is required" },
        { Answer().Replace("m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9", "m=audio 9 UDP/TLS/RTP/SAVPF 0\r\nc=IN IP4 0.0.0.0\r\na=rtcp:9"), "mid 0: payload type 0 was not offered" },
    };

    [Theory]
    [MemberData(nameof(MismatchedAnswers))]
    public void An_answer_that_does_not_match_its_offer_is_refused_RFC_3264_section_6(string sdp, string expected)
    {
        Assert.True(SdpParser.TryParseAnswer(sdp, out var answer, out var error), error);
        Assert.False(SdpAnswerValidator.TryValidate(Offer(), answer!, out error));
        Assert.Contains(expected, error);
    }

    [Fact]
    public void Random_text_never_throws()
    {
        Gen.String.Sample(text =>
        {
            SdpParser.TryParseAnswer(text, out _, out var error);
            _ = error;
        }, iter: 3000);
        var answer = Answer();
        for (int cut = 0; cut < answer.Length; cut += 7)
        {
            SdpParser.TryParseAnswer(answer[..cut], out _, out _);
        }
    }
}
