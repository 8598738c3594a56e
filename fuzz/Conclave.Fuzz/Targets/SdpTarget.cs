using System.Net;
using System.Text;
using Conclave.Media.Sdp;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// A participant's SDP answer, parsed and then checked against the offer it answers, as
/// signalling does. What parses meets every rule the parser states; what validates
/// answers each offered m-section in order.
/// </summary>
public static class SdpTarget
{
    private const string Fingerprint = "AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99";

    /// <summary>A publisher's two sections, another participant's audio and video, and a spare one.</summary>
    public static SdpOffer Offer { get; } = new(42, 3, "uFrAg123", "pAsSwOrD0123456789abcdef", Fingerprint, new IPEndPoint(IPAddress.Loopback, 10000),
    [
        new OfferedSection("0", MediaKind.Audio, MediaDirection.RecvOnly, null),
        new OfferedSection("1", MediaKind.Video, MediaDirection.RecvOnly, null),
        new OfferedSection("2", MediaKind.Audio, MediaDirection.SendOnly, new ForwardedStream("peer-a", "peer-a-audio", "cname-a", 1111, null)),
        new OfferedSection("3", MediaKind.Video, MediaDirection.SendOnly, new ForwardedStream("peer-a", "peer-a-video", "cname-a", 2222, 3333)),
        new OfferedSection("4", MediaKind.Video, MediaDirection.Inactive, null),
    ]);

    public static void Run(ReadOnlySpan<byte> utf8)
    {
        string sdp = Encoding.UTF8.GetString(utf8);
        bool parsed = SdpParser.TryParseAnswer(sdp, out var answer, out string? error);
        Invariant.Holds(parsed == answer is not null && parsed == error is null, "TryParseAnswer's result, answer and error disagree");
        if (!parsed) return;
        CheckAnswer(answer!);
        bool valid = SdpAnswerValidator.TryValidate(Offer, answer!, out error);
        Invariant.Holds(valid == error is null, "TryValidate's result and error disagree");
        if (valid) CheckAnswersOffer(answer!);
    }

    private static void CheckAnswer(SdpAnswer answer)
    {
        Invariant.Holds(answer.Sections.Count is > 0 and <= SdpParser.MaxSections, "an answer's m-section count is out of bounds");
        Invariant.Holds(IsIceText(answer.IceUfrag, 4) && IsIceText(answer.IcePassword, 22), "ice-ufrag or ice-pwd breaks RFC 8839 §5.4");
        Invariant.Holds(answer.DtlsSetup == "active", "an answer whose browser is not the DTLS client parsed");
        Invariant.Holds(answer.DtlsFingerprintSha256.Length == 32 * 3 - 1 && answer.DtlsFingerprintSha256 == answer.DtlsFingerprintSha256.ToUpperInvariant(), "a fingerprint is not 32 upper-case hexadecimal bytes");
        var mids = new HashSet<string>(StringComparer.Ordinal);
        bool anyAccepted = false;
        foreach (var section in answer.Sections)
        {
            Invariant.Holds(section.Mid.Length is > 0 and <= 32 && mids.Add(section.Mid), "a mid is empty, too long or used twice");
            Invariant.Holds(section.PayloadTypes.Count > 0 && section.PayloadTypes.All(pt => pt is >= 0 and <= 127), "a payload type is out of 0–127");
            Invariant.Holds(section.ExtensionIds.Keys.All(id => id is >= 1 and <= 255), "an extension id is out of 1–255");
            Invariant.Holds(section.RtxSsrc is null || section.Ssrc is not null, "an RTX SSRC without a primary SSRC");
            anyAccepted |= !section.Rejected;
        }
        Invariant.Holds(anyAccepted, "an answer with every m-section rejected parsed");
    }

    private static void CheckAnswersOffer(SdpAnswer answer)
    {
        Invariant.Holds(answer.Sections.Count == Offer.Sections.Count, "a valid answer has another number of m-sections than the offer");
        for (int i = 0; i < Offer.Sections.Count; i++)
        {
            var answered = answer.Sections[i];
            Invariant.Holds(answered.Mid == Offer.Sections[i].Mid && answered.Kind == Offer.Sections[i].Kind, "a valid answer's m-section answers another mid or kind");
            Invariant.Holds(answered.Rejected || answered.RtcpMux, "a valid answer's accepted m-section lacks rtcp-mux");
        }
    }

    private static bool IsIceText(string text, int minLength) =>
        text.Length >= minLength && text.Length <= 256 && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/');
}
