using System.Globalization;

namespace Conclave.Media.Sdp;

/// <summary>
/// Parses a browser's SDP answer (RFC 8866 syntax) into what the appliance needs.
/// Every refusal names the line and what is wrong with it; nothing here throws.
/// </summary>
public static class SdpParser
{
    /// <summary>An answer for 100 participants is ~90 KiB; signalling already caps messages at 64 KiB.</summary>
    public const int MaxSdpBytes = 64 * 1024;
    public const int MaxSections = 256;

    private sealed class SectionBuilder(string kind, int port, List<int> payloadTypes, int line)
    {
        public string KindText { get; } = kind;
        public int Port { get; } = port;
        public List<int> PayloadTypes { get; } = payloadTypes;
        public int Line { get; } = line;
        public string? Mid;
        public string? IceUfrag, IcePassword, Fingerprint, Setup;
        public MediaDirection Direction = MediaDirection.SendRecv;
        public bool RtcpMux;
        public uint? FirstSsrc;
        public (uint Primary, uint Rtx)? Fid;
        public Dictionary<int, string> Extensions { get; } = new();
    }

    public static bool TryParseAnswer(string sdp, out SdpAnswer? answer, out string? error)
    {
        answer = null;
        if (sdp.Length > MaxSdpBytes)
        {
            error = $"the SDP is {sdp.Length} bytes; at most {MaxSdpBytes} are accepted";
            return false;
        }
        string? sessionUfrag = null, sessionPassword = null, sessionFingerprint = null, sessionSetup = null;
        var sections = new List<SectionBuilder>();
        var lines = sdp.Split('\n');
        for (int i = 0; i < lines.Length; i++)
        {
            int number = i + 1;
            string line = lines[i].TrimEnd('\r');
            if (line.Length == 0) continue;
            if (line.Length < 2 || line[1] != '=' || !char.IsAsciiLetterLower(line[0]))
            {
                error = $"line {number}: expected '<type>=<value>' (RFC 8866 §5)";
                return false;
            }
            if (number == 1 && line != "v=0")
            {
                error = "line 1: an SDP must start with v=0";
                return false;
            }
            string value = line[2..];
            var current = sections.Count > 0 ? sections[^1] : null;
            switch (line[0])
            {
                case 'm':
                    if (sections.Count == MaxSections)
                    {
                        error = $"line {number}: more than {MaxSections} m-sections";
                        return false;
                    }
                    if (!TryParseMediaLine(value, number, out var section, out error)) return false;
                    sections.Add(section!);
                    break;
                case 'a':
                    int colon = value.IndexOf(':');
                    string name = colon < 0 ? value : value[..colon];
                    string argument = colon < 0 ? "" : value[(colon + 1)..];
                    switch (name)
                    {
                        case "ice-ufrag":
                            if (current is null) sessionUfrag = argument; else current.IceUfrag = argument;
                            break;
                        case "ice-pwd":
                            if (current is null) sessionPassword = argument; else current.IcePassword = argument;
                            break;
                        case "fingerprint":
                            if (!TryParseFingerprint(argument, number, out var fingerprint, out error)) return false;
                            if (current is null) sessionFingerprint = fingerprint; else current.Fingerprint = fingerprint;
                            break;
                        case "setup":
                            if (current is null) sessionSetup = argument; else current.Setup = argument;
                            break;
                        case "mid" when current is not null:
                            if (argument.Length is 0 or > 32)
                            {
                                error = $"line {number}: a=mid needs 1–32 characters";
                                return false;
                            }
                            current.Mid = argument;
                            break;
                        case "sendrecv" when current is not null: current.Direction = MediaDirection.SendRecv; break;
                        case "sendonly" when current is not null: current.Direction = MediaDirection.SendOnly; break;
                        case "recvonly" when current is not null: current.Direction = MediaDirection.RecvOnly; break;
                        case "inactive" when current is not null: current.Direction = MediaDirection.Inactive; break;
                        case "rtcp-mux" when current is not null: current.RtcpMux = true; break;
                        case "ssrc" when current is not null:
                            if (!TryParseSsrc(argument.Split(' ', 2)[0], out uint ssrc))
                            {
                                error = $"line {number}: a=ssrc needs a 32-bit SSRC";
                                return false;
                            }
                            current.FirstSsrc ??= ssrc;
                            break;
                        case "ssrc-group" when current is not null:
                            var group = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                            if (group.Length > 0 && group[0] == "FID")
                            {
                                if (group.Length != 3 || !TryParseSsrc(group[1], out uint primary) || !TryParseSsrc(group[2], out uint rtx))
                                {
                                    error = $"line {number}: a=ssrc-group:FID needs two SSRCs (RFC 5576 §4.2)";
                                    return false;
                                }
                                current.Fid = (primary, rtx);
                            }
                            break;
                        case "extmap" when current is not null:
                            var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                            string idText = parts.Length > 0 ? parts[0].Split('/')[0] : "";
                            if (parts.Length < 2 || !int.TryParse(idText, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || id is < 1 or > 255)
                            {
                                error = $"line {number}: a=extmap needs an id of 1–255 and a URI (RFC 8285 §8)";
                                return false;
                            }
                            current.Extensions[id] = parts[1];
                            break;
                    }
                    break;
            }
        }
        return Build(sections, sessionUfrag, sessionPassword, sessionFingerprint, sessionSetup, out answer, out error);
    }

    private static bool Build(List<SectionBuilder> sections, string? sessionUfrag, string? sessionPassword, string? sessionFingerprint, string? sessionSetup, out SdpAnswer? answer, out string? error)
    {
        answer = null;
        if (sections.Count == 0)
        {
            error = "the SDP has no m-section";
            return false;
        }
        var mids = new HashSet<string>(StringComparer.Ordinal);
        var answered = new List<AnsweredSection>(sections.Count);
        SectionBuilder? transport = null;
        foreach (var section in sections)
        {
            if (section.Mid is null)
            {
                error = $"line {section.Line}: the m-section has no a=mid (RFC 8843 requires one with BUNDLE)";
                return false;
            }
            if (!mids.Add(section.Mid))
            {
                error = $"line {section.Line}: a=mid:{section.Mid} is used twice";
                return false;
            }
            bool rejected = section.Port == 0;
            if (!rejected) transport ??= section;
            var kind = section.KindText == "audio" ? MediaKind.Audio : MediaKind.Video;
            uint? ssrc = section.Fid?.Primary ?? section.FirstSsrc;
            answered.Add(new AnsweredSection(section.Mid, kind, rejected, section.Direction, ssrc, section.Fid?.Rtx,
                section.PayloadTypes, section.Extensions, section.RtcpMux));
        }
        string? ufrag = transport?.IceUfrag ?? sessionUfrag;
        string? password = transport?.IcePassword ?? sessionPassword;
        string? fingerprint = transport?.Fingerprint ?? sessionFingerprint;
        string? setup = transport?.Setup ?? sessionSetup;
        if (transport is null)
        {
            error = "every m-section is rejected (port 0): nothing to connect";
            return false;
        }
        if (ufrag is null || !IsIceText(ufrag, 4, 256))
        {
            error = ufrag is null ? "missing a=ice-ufrag" : "a=ice-ufrag must be 4–256 characters of A–Z a–z 0–9 + / (RFC 8839 §5.4)";
            return false;
        }
        if (password is null || !IsIceText(password, 22, 256))
        {
            error = password is null ? "missing a=ice-pwd" : "a=ice-pwd must be 22–256 characters of A–Z a–z 0–9 + / (RFC 8839 §5.4)";
            return false;
        }
        if (fingerprint is null)
        {
            error = "missing a=fingerprint: DTLS-SRTP needs the browser's certificate fingerprint (RFC 8122)";
            return false;
        }
        if (setup is null)
        {
            error = "missing a=setup (RFC 8842)";
            return false;
        }
        if (setup != "active")
        {
            error = $"a=setup:{setup}: the browser must be the DTLS client (active)";
            return false;
        }
        answer = new SdpAnswer(ufrag, password, fingerprint, setup, answered);
        error = null;
        return true;
    }

    private static bool TryParseMediaLine(string value, int number, out SectionBuilder? section, out string? error)
    {
        section = null;
        var fields = value.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length < 4)
        {
            error = $"line {number}: m= needs media, port, protocol and formats";
            return false;
        }
        if (fields[0] is not ("audio" or "video"))
        {
            error = $"line {number}: media '{fields[0]}' is not offered by the appliance (audio and video only)";
            return false;
        }
        if (!int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out int port) || port > 65535)
        {
            error = $"line {number}: the port '{fields[1]}' is not a number from 0 to 65535";
            return false;
        }
        var payloadTypes = new List<int>(fields.Length - 3);
        for (int i = 3; i < fields.Length; i++)
        {
            if (!int.TryParse(fields[i], NumberStyles.None, CultureInfo.InvariantCulture, out int pt) || pt > 127)
            {
                error = $"line {number}: payload type '{fields[i]}' is not a number from 0 to 127";
                return false;
            }
            payloadTypes.Add(pt);
        }
        section = new SectionBuilder(fields[0], port, payloadTypes, number);
        error = null;
        return true;
    }

    /// <summary>RFC 8122 §5: "sha-256 AB:CD:…"; only SHA-256 is accepted, upper-cased for comparison.</summary>
    private static bool TryParseFingerprint(string argument, int number, out string? fingerprint, out string? error)
    {
        fingerprint = null;
        var parts = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length != 2 || !parts[0].Equals("sha-256", StringComparison.OrdinalIgnoreCase))
        {
            error = $"line {number}: a=fingerprint must use sha-256";
            return false;
        }
        var bytes = parts[1].Split(':');
        if (bytes.Length != 32 || bytes.Any(b => b.Length != 2 || !b.All(char.IsAsciiHexDigit)))
        {
            error = $"line {number}: a sha-256 fingerprint is 32 hexadecimal bytes separated by colons";
            return false;
        }
        fingerprint = parts[1].ToUpperInvariant();
        error = null;
        return true;
    }

    private static bool TryParseSsrc(string text, out uint ssrc) =>
        uint.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out ssrc);

    private static bool IsIceText(string text, int min, int max) =>
        text.Length >= min && text.Length <= max && text.All(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/');
}
