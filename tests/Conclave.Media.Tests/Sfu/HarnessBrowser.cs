using System.Net;
using System.Text;
using Conclave.Media.Dtls;
using Conclave.Media.Rtcp;
using Conclave.Media.Sfu;
using Conclave.Media.Srtp;
using Conclave.Media.Stun;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// What the appliance sees of a browser, without the browser: its socket, the SRTP
/// contexts of its side of the keys, and the SDP answers it gives.
/// </summary>
internal sealed class HarnessBrowser : IDisposable
{
    public const string IceUfrag = "browser";
    public const string IcePassword = "browserpassword0123456789";

    private readonly (uint Ssrc, uint RtxSsrc)? _video;
    private readonly uint? _audioSsrc;
    private readonly string _dtlsFingerprint = DtlsCertificate.FingerprintOf(Encoding.ASCII.GetBytes("the browser's certificate"));

    public HarnessBrowser(Peer peer, PeerHandle handle, RecordingSignalSink signals, IDatagramSocket socket, DtlsSrtpKeys keys,
        (uint Ssrc, uint RtxSsrc)? video, uint? audioSsrc)
    {
        Peer = peer;
        Handle = handle;
        Signals = signals;
        Socket = socket;
        Address = socket.LocalEndPoint.Serialize();
        var profile = (SrtpProfile)keys.ProtectionProfile;
        Outbound = new SrtpContext(profile, keys.ClientMasterKey, keys.ClientMasterSalt);
        Inbound = new SrtpContext(profile, keys.ServerMasterKey, keys.ServerMasterSalt);
        _video = video;
        _audioSsrc = audioSsrc;
    }

    public Peer Peer { get; }
    public PeerHandle Handle { get; }
    public RecordingSignalSink Signals { get; }
    public IDatagramSocket Socket { get; }

    /// <summary>The socket's address as the appliance sees it.</summary>
    public SocketAddress Address { get; }

    /// <summary>Protects what this browser sends (the DTLS client's write key).</summary>
    public SrtpContext Outbound { get; }

    /// <summary>Unprotects what the appliance sends to this browser.</summary>
    public SrtpContext Inbound { get; }

    public int AnsweredRevision { get; set; }

    /// <summary>The media SSRC of every PLI the appliance sent this browser since the last call, in order.</summary>
    public List<uint> PliTargets()
    {
        var targets = new List<uint>();
        while (ReceiveRtcp() is { } compound)
        {
            var reader = new RtcpCompoundReader(compound);
            while (reader.TryReadNext(out var header, out _))
            {
                if (header.PacketType == RtcpPacketType.PayloadFeedback && header.Fmt == RtcpFeedbackFormat.Pli) targets.Add(header.MediaSsrc);
            }
        }
        return targets;
    }

    /// <summary>The SSRC this browser receives a publisher's stream under: its consumer's own, not the publisher's.</summary>
    public uint ReceivedSsrc(uint publisherSsrc) => ConsumerOf(publisherSsrc).Ssrc;

    /// <summary>The RTX SSRC of the stream this browser receives for <paramref name="publisherSsrc"/>.</summary>
    public uint ReceivedRtxSsrc(uint publisherSsrc) => ConsumerOf(publisherSsrc).RtxSsrc;

    private Consumer ConsumerOf(uint publisherSsrc) => Peer.Consumers.First(c => c.Producer.Ssrc == publisherSsrc);

    /// <summary>The screen this browser shares: announced on the screen's publish mid while set, inactive otherwise.</summary>
    public (uint Ssrc, uint RtxSsrc)? Screen { get; set; }

    /// <summary>
    /// The answer a browser gives <paramref name="offerSdp"/> (RFC 3264 §6): it sends where
    /// it publishes, receives every forwarded stream, and leaves inactive what is inactive.
    /// </summary>
    public string Answer(string offerSdp)
    {
        var sdp = new StringBuilder();
        sdp.Append("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n");
        sdp.Append($"a=ice-ufrag:{IceUfrag}\r\na=ice-pwd:{IcePassword}\r\na=fingerprint:sha-256 {_dtlsFingerprint}\r\na=setup:active\r\n");
        string? kind = null, mid = null;
        foreach (string line in offerSdp.Split("\r\n"))
        {
            if (line.StartsWith("m=", StringComparison.Ordinal))
            {
                kind = line[2..line.IndexOf(' ')];
                sdp.Append(kind == "audio" ? "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\n" : "m=video 9 UDP/TLS/RTP/SAVPF 96 97\r\n");
                sdp.Append("c=IN IP4 0.0.0.0\r\na=rtcp-mux\r\n");
            }
            else if (line.StartsWith("a=mid:", StringComparison.Ordinal))
            {
                mid = line["a=mid:".Length..];
                sdp.Append(line).Append("\r\n");
            }
            else if (line == "a=recvonly")
            {
                sdp.Append(mid == PeerNegotiation.PublishScreenMid ? VideoPublication(Screen) : Publication(kind == "audio"));
            }
            else if (line == "a=sendonly")
            {
                sdp.Append("a=recvonly\r\n");
            }
            else if (line == "a=inactive")
            {
                sdp.Append("a=inactive\r\n");
            }
        }
        return sdp.ToString();
    }

    private string Publication(bool audio)
    {
        if (audio) return _audioSsrc is uint ssrc ? $"a=sendonly\r\na=ssrc:{ssrc} cname:browser\r\n" : "a=inactive\r\n";
        return VideoPublication(_video);
    }

    private static string VideoPublication((uint Ssrc, uint RtxSsrc)? stream)
    {
        if (stream is not var (video, rtx)) return "a=inactive\r\n";
        return $"a=sendonly\r\na=ssrc-group:FID {video} {rtx}\r\na=ssrc:{video} cname:browser\r\na=ssrc:{rtx} cname:browser\r\n";
    }

    /// <summary>The next RTP packet the appliance sent here, decrypted; null if none waits.</summary>
    public byte[]? ReceiveRtp() => ReceiveMedia(rtcp: false);

    public byte[]? ReceiveRtcp() => ReceiveMedia(rtcp: true);

    private byte[]? ReceiveMedia(bool rtcp)
    {
        while (ReceiveDatagram() is { } datagram)
        {
            if (DatagramClassifier.Classify(datagram) != (rtcp ? DatagramKind.Rtcp : DatagramKind.Rtp)) continue;
            var plain = new byte[2048];
            var status = rtcp
                ? Inbound.UnprotectRtcp(datagram, plain, out int written)
                : Inbound.UnprotectRtp(datagram, plain, out written);
            SfuHarness.Ensure(status);
            return plain.AsSpan(0, written).ToArray();
        }
        return null;
    }

    /// <summary>The next datagram the appliance sent here, as it came; null if none waits.</summary>
    public byte[]? ReceiveDatagram()
    {
        var buffer = new byte[2048];
        var from = new SocketAddress(Socket.LocalEndPoint.AddressFamily);
        return Socket.TryReceiveFrom(buffer, from, out int length) ? buffer.AsSpan(0, length).ToArray() : null;
    }

    public void Drain()
    {
        while (ReceiveDatagram() is not null) { }
    }

    /// <summary>
    /// Answers every consent check the appliance sent here, as a browser's ICE agent
    /// answers any authenticated check (RFC 8445 §7.3), and drops everything else waiting.
    /// </summary>
    public List<byte[]> AnswerConsentChecks()
    {
        var responses = new List<byte[]>();
        var buffer = new byte[2048];
        var from = new SocketAddress(Socket.LocalEndPoint.AddressFamily);
        while (Socket.TryReceiveFrom(buffer, from, out int length))
        {
            if (!StunMessage.TryParse(buffer.AsSpan(0, length), out var request) || request.MessageType != StunMessageType.BindingRequest) continue;
            if (!request.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(IcePassword))) continue;
            var response = new byte[512];
            var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, request.TransactionId);
            writer.WriteXorMappedAddress(from);
            writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(IcePassword));
            writer.WriteFingerprint();
            responses.Add(response.AsSpan(0, writer.Length).ToArray());
        }
        return responses;
    }

    public void Dispose()
    {
        Socket.Dispose();
        Outbound.Dispose();
        Inbound.Dispose();
    }
}
