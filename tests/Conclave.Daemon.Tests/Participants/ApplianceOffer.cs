using System.Globalization;
using System.Net;
using Conclave.Media.Sdp;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>One m-section of an appliance offer, as a participant needs it to answer.</summary>
/// <param name="PayloadTypes">The formats of the m= line, in order.</param>
/// <param name="Ssrc">The primary SSRC a sendonly section forwards (its first a=ssrc, or the FID group's first).</param>
/// <param name="RtxSsrc">The RTX SSRC of a=ssrc-group:FID (RFC 5576 §4.2), if any.</param>
internal sealed record OfferedMedia(string Mid, MediaKind Kind, MediaDirection Direction, IReadOnlyList<int> PayloadTypes, uint? Ssrc, uint? RtxSsrc);

/// <summary>
/// The parts of the appliance's offer (docs/signalling.md "The SDP the appliance offers")
/// an answerer needs: ICE-lite credentials and host candidate, the DTLS fingerprint, and
/// each section's mid, kind, direction and forwarded SSRCs. Throws on anything else: the
/// appliance writes these offers, so a surprise is a test failure.
/// </summary>
internal sealed record ApplianceOffer(string IceUfrag, string IcePassword, string DtlsFingerprint, IPEndPoint Candidate, IReadOnlyList<OfferedMedia> Sections)
{
    public static ApplianceOffer Parse(string sdp)
    {
        string? ufrag = null, password = null, fingerprint = null;
        IPEndPoint? candidate = null;
        var sections = new List<OfferedMedia>();
        string? mid = null;
        MediaKind kind = MediaKind.Audio;
        var direction = MediaDirection.SendRecv;
        IReadOnlyList<int> payloadTypes = [];
        uint? ssrc = null, rtxSsrc = null;

        void EndSection()
        {
            if (mid is not null) sections.Add(new OfferedMedia(mid, kind, direction, payloadTypes, ssrc, rtxSsrc));
        }

        foreach (string raw in sdp.Split('\n'))
        {
            string line = raw.TrimEnd('\r');
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                EndSection();
                var fields = line[2..].Split(' ');
                kind = fields[0] == "audio" ? MediaKind.Audio : MediaKind.Video;
                payloadTypes = fields.Skip(3).Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray();
                mid = "";
                direction = MediaDirection.SendRecv;
                ssrc = rtxSsrc = null;
                continue;
            }
            if (!line.StartsWith("a=", StringComparison.Ordinal)) continue;
            string attribute = line[2..];
            int colon = attribute.IndexOf(':');
            string name = colon < 0 ? attribute : attribute[..colon];
            string value = colon < 0 ? "" : attribute[(colon + 1)..];
            switch (name)
            {
                case "mid": mid = value; break;
                case "ice-ufrag": ufrag = value; break;
                case "ice-pwd": password = value; break;
                case "fingerprint": fingerprint = value.Split(' ')[1]; break;
                case "sendrecv": direction = MediaDirection.SendRecv; break;
                case "sendonly": direction = MediaDirection.SendOnly; break;
                case "recvonly": direction = MediaDirection.RecvOnly; break;
                case "inactive": direction = MediaDirection.Inactive; break;
                case "ssrc":
                    ssrc ??= uint.Parse(value.Split(' ')[0], CultureInfo.InvariantCulture);
                    break;
                case "ssrc-group" when value.StartsWith("FID ", StringComparison.Ordinal):
                    var group = value.Split(' ');
                    ssrc = uint.Parse(group[1], CultureInfo.InvariantCulture);
                    rtxSsrc = uint.Parse(group[2], CultureInfo.InvariantCulture);
                    break;
                case "candidate" when candidate is null:
                    // RFC 8839 §5.1: foundation component transport priority address port "typ" type
                    var parts = value.Split(' ');
                    candidate = new IPEndPoint(IPAddress.Parse(parts[4]), int.Parse(parts[5], CultureInfo.InvariantCulture));
                    break;
            }
        }
        EndSection();
        if (ufrag is null || password is null || fingerprint is null || candidate is null)
        {
            throw new FormatException("the appliance's offer lacks ICE credentials, a fingerprint or a candidate");
        }
        return new ApplianceOffer(ufrag, password, fingerprint, candidate, sections);
    }
}
