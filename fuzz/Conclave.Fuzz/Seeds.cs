using System.Buffers.Binary;
using System.Net;
using System.Text;
using Conclave.Fuzz.Targets;
using Conclave.Media.Rtcp;
using Conclave.Media.Tests.Rtcp;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Stun;

namespace Conclave.Fuzz;

/// <summary>
/// The first corpus of every target: well-formed inputs made by the appliance's own
/// writers (and RFC sample messages), from which afl-fuzz mutates.
/// </summary>
public static class Seeds
{
    public static void Write(string directory)
    {
        foreach (var (target, inputs) in All())
        {
            string targetDirectory = Path.Combine(directory, target);
            Directory.CreateDirectory(targetDirectory);
            foreach (var (name, input) in inputs) File.WriteAllBytes(Path.Combine(targetDirectory, $"seed-{name}"), input);
        }
    }

    private static IEnumerable<(string Target, (string Name, byte[] Input)[] Inputs)> All() =>
    [
        ("stun", Stun()), ("dtls", Dtls()), ("rtp", Rtp()), ("rtcp", Rtcp()), ("sdp", Sdp()), ("signalling", Signalling()), ("srtp", Srtp()),
    ];

    private static (string, byte[])[] Stun()
    {
        byte[] transactionId = Convert.FromHexString("b7e7a701bc34d686fa87dfae");
        var buffer = new byte[512];
        var request = new StunMessageWriter(buffer, StunMessageType.BindingRequest, transactionId);
        request.WriteAttribute(StunAttributeType.Username, "local:remote"u8);
        request.WriteAttribute(StunAttributeType.Priority, [0x6E, 0x00, 0x01, 0xFF]);
        request.WriteAttribute(StunAttributeType.IceControlling, [1, 2, 3, 4, 5, 6, 7, 8]);
        request.WriteAttribute(StunAttributeType.UseCandidate, []);
        request.WriteMessageIntegrity(StunTarget.Key);
        request.WriteFingerprint();
        byte[] binding = buffer[..request.Length];

        var response = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, transactionId);
        response.WriteXorMappedAddress(new IPEndPoint(IPAddress.Parse("192.0.2.1"), 32853).Serialize());
        response.WriteMessageIntegrity(StunTarget.Key);
        response.WriteFingerprint();
        byte[] success = buffer[..response.Length];

        var error = new StunMessageWriter(buffer, StunMessageType.BindingErrorResponse, transactionId);
        error.WriteErrorCode(487, "Role Conflict");
        error.WriteFingerprint();
        byte[] roleConflict = buffer[..error.Length];

        // RFC 5769 §2.1: SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, MESSAGE-INTEGRITY, FINGERPRINT.
        byte[] rfc5769Request = Convert.FromHexString(
            "000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74" +
            "002400046e0001ff80290008932ff9b151263b36000600096576746a3a68367659202020" +
            "000800149aeaa70cbfd8cb56781ef2b5b2d3f249c1b571a280280004e57a3bcf");
        return [("binding-request", binding), ("binding-success", success), ("role-conflict", roleConflict), ("rfc5769-request", rfc5769Request)];
    }

    private static (string, byte[])[] Dtls()
    {
        var clientHello = new byte[300];
        for (int i = 0; i < clientHello.Length; i++) clientHello[i] = (byte)i;
        return
        [
            ("whole", DatagramSequence.Join(HandshakeRecord(0, clientHello, 0, clientHello.Length))),
            ("two-fragments", DatagramSequence.Join(HandshakeRecord(0, clientHello, 0, 200), HandshakeRecord(0, clientHello, 200, 100))),
            ("out-of-order-overlapping", DatagramSequence.Join(HandshakeRecord(1, clientHello, 250, 50), HandshakeRecord(1, clientHello, 0, 150), HandshakeRecord(1, clientHello, 100, 160))),
            ("two-records-in-one-datagram", DatagramSequence.Join([.. HandshakeRecord(0, clientHello, 0, 120), .. HandshakeRecord(0, clientHello, 120, 180)])),
        ];
    }

    /// <summary>A DTLS 1.2 handshake record in epoch 0 carrying one ClientHello fragment (RFC 6347 §4.1, §4.2.2).</summary>
    private static byte[] HandshakeRecord(ushort messageSequence, byte[] body, int fragmentOffset, int fragmentLength)
    {
        var record = new byte[13 + 12 + fragmentLength];
        record[0] = 22;
        record[1] = 0xFE;
        record[2] = 0xFD;
        record[10] = (byte)messageSequence; // record sequence number, low byte
        BinaryPrimitives.WriteUInt16BigEndian(record.AsSpan(11), (ushort)(12 + fragmentLength));
        var handshake = record.AsSpan(13);
        handshake[0] = 1;
        WriteUInt24(handshake[1..], body.Length);
        BinaryPrimitives.WriteUInt16BigEndian(handshake[4..], messageSequence);
        WriteUInt24(handshake[6..], fragmentOffset);
        WriteUInt24(handshake[9..], fragmentLength);
        body.AsSpan(fragmentOffset, fragmentLength).CopyTo(handshake[12..]);
        return record;
    }

    private static void WriteUInt24(Span<byte> bytes, int value)
    {
        bytes[0] = (byte)(value >> 16);
        bytes[1] = (byte)(value >> 8);
        bytes[2] = (byte)value;
    }

    private static (string, byte[])[] Rtp()
    {
        byte[] payload = Encoding.ASCII.GetBytes("a VP8 payload, or near enough");
        var buffer = new byte[256];
        RtpWriter.TryWritePacket(buffer, true, SdpCodecs.Vp8PayloadType, 0xFFFF, 90_000, 0x11223344, payload, out int length);
        byte[] plain = buffer[..length];
        // CC=2, X with the one-byte form (RFC 8285 §4.2): transport-wide sequence number id 3, a 1-byte element id 5, padding.
        byte[] oneByte = [0x92, 0x60, 0x00, 0x01, 0, 0, 0, 1, 0x11, 0x22, 0x33, 0x44, 0, 0, 0, 0xA1, 0, 0, 0, 0xA2,
            0xBE, 0xDE, 0x00, 0x02, 0x31, 0x12, 0x34, 0x50, 0x7F, 0x00, 0x00, 0x00, .. payload];
        // The two-byte form (RFC 8285 §4.3), P set with 4 bytes of padding.
        byte[] twoByte = [0xB0, 0x6F, 0x00, 0x02, 0, 0, 0, 2, 0x11, 0x22, 0x33, 0x44,
            0x10, 0x00, 0x00, 0x02, 0x03, 0x02, 0x12, 0x34, 0x00, 0x00, 0x00, 0x00, .. payload, 0, 0, 0, 4];
        return [("plain", plain), ("one-byte-extensions", oneByte), ("two-byte-extensions-padding", twoByte)];
    }

    private static (string, byte[])[] Rtcp()
    {
        var buffer = new byte[2048];
        byte[] Written(Func<byte[], int> write) => buffer[..write(buffer)];
        byte[] senderReport = Written(b => RtcpTestWriter.TryWriteSenderReport(b, 0x11223344, 0xE8F4_0000_8000_0000, 90_000, 100, 120_000, out int n) ? n : 0);
        byte[] cname = Written(b => RtcpTestWriter.TryWriteSdesCname(b, 0x11223344, "browser-cname"u8, out int n) ? n : 0);
        byte[] receiverReport = Written(b => RtcpTestWriter.TryWriteReceiverReport(b, 0x55667788,
            [new ReportBlock(0x11223344, 12, -3, 0x0001_FFFF, 40, 0x12345678, 65536), new ReportBlock(0x99AABBCC, 0, 100, 7, 0, 0, 0)], out int n) ? n : 0);
        byte[] bye = Written(b => RtcpTestWriter.TryWriteBye(b, [0x11223344, 0x55667788], out int n) ? n : 0);
        byte[] nack = Written(b => RtcpTestWriter.TryWriteNack(b, 1, 0x11223344, [65534, 65535, 0, 5, 17, 40], out int n) ? n : 0);
        byte[] pli = Written(b => RtcpWriter.TryWritePli(b, 1, 0x11223344, out int n) ? n : 0);
        byte[] fir = Written(b => RtcpTestWriter.TryWriteFir(b, 1, 0x11223344, 9, out int n) ? n : 0);
        byte[] remb = Written(b => RtcpTestWriter.TryWriteRemb(b, 1, 1_500_000, [0x11223344, 0x55667788], out int n) ? n : 0);
        var feedback = new TransportCcFeedbackBuilder();
        foreach (var (sequence, arrivalUs) in new (ushort, long)[] { (65530, 1_000_000), (65531, 1_000_250), (65533, 1_020_000), (2, 1_000_500), (3, 9_000_000) })
        {
            feedback.OnPacketReceived(sequence, arrivalUs);
        }
        byte[] transportCc = Written(b => feedback.TryWriteFeedback(b, 1, 0x11223344, out int n) ? n : 0);
        return
        [
            ("sr-sdes", [.. senderReport, .. cname]), ("rr-bye", [.. receiverReport, .. bye]), ("nack", nack), ("pli-fir", [.. pli, .. fir]),
            ("remb", remb), ("transport-cc", transportCc),
        ];
    }

    private static (string, byte[])[] Sdp() =>
    [
        ("chromium-answer", Encoding.UTF8.GetBytes(ChromiumAnswer)),
        ("appliance-offer", Encoding.UTF8.GetBytes(SdpWriter.WriteOffer(SdpTarget.Offer))),
    ];

    /// <summary>The answer Chromium gives to <see cref="SdpTarget.Offer"/>, in its shape: media-level ICE/DTLS, ssrc-group FID.</summary>
    private static string ChromiumAnswer => string.Join("\r\n",
        "v=0", "o=- 4611731400430051336 2 IN IP4 127.0.0.1", "s=-", "t=0 0", "a=group:BUNDLE 0 1 2 3 4", "a=msid-semantic: WMS stream",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=rtcp:9 IN IP4 0.0.0.0",
        "a=ice-ufrag:bRoW", "a=ice-pwd:browserpassword0123456789", "a=ice-options:trickle",
        "a=fingerprint:sha-256 AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99", "a=setup:active", "a=mid:0",
        "a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
        "a=sendonly", "a=msid:stream track-audio", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2", "a=ssrc:5001 cname:browser",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=mid:1", "a=sendonly", "a=rtcp-mux", "a=rtpmap:96 VP8/90000", "a=rtpmap:97 rtx/90000",
        "a=ssrc-group:FID 6001 6002", "a=ssrc:6001 cname:browser", "a=ssrc:6002 cname:browser",
        "m=audio 9 UDP/TLS/RTP/SAVPF 111", "c=IN IP4 0.0.0.0", "a=mid:2", "a=recvonly", "a=rtcp-mux", "a=rtpmap:111 opus/48000/2",
        "m=video 9 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=mid:3", "a=recvonly", "a=rtcp-mux",
        "m=video 0 UDP/TLS/RTP/SAVPF 96 97", "c=IN IP4 0.0.0.0", "a=mid:4", "a=inactive", "a=rtcp-mux", "");

    /// <summary>The public point of the P-256 private key 1: the curve's generator (SEC 2 §2.4.2), 0x04 ‖ x ‖ y.</summary>
    private static readonly byte[] SignatureKey = Convert.FromHexString(
        "046B17D1F2E12C4247F8BCE6E563A440F277037D812DEB33A0F4A13945D898C2964FE342E2FE1A7F9B8EE7EB4A7C0F9E162BCE33576B315ECECBB6406837BF51F5");

    private static (string, byte[])[] Signalling() =>
    [
        ("join", """{"type":"join","room":"weekly-sync_2","name":"  Ada Lovelace  "}"""u8.ToArray()),
        ("join-e2ee", Encoding.UTF8.GetBytes($$$"""{"type":"join","room":"weekly-sync_2","e2ee":{"signatureKey":"{{{Convert.ToBase64String(SignatureKey)}}}"}}""")),
        ("mls-commit", """{"type":"mls-commit","epoch":7,"commit":"AAEAAQ==","removes":[2,5]}"""u8.ToArray()),
        ("mls-joined", """{"type":"mls-joined","epoch":8,"leaf":3}"""u8.ToArray()),
        ("data", """{"type":"data","epoch":8,"kind":"chat","ct":"c2VhbGVk"}"""u8.ToArray()),
        ("answer", Encoding.UTF8.GetBytes($$"""{"type":"answer","revision":3,"sdp":{{System.Text.Json.JsonSerializer.Serialize(ChromiumAnswer)}}}""")),
        ("candidate", """{"type":"candidate","candidate":"candidate:1 1 udp 2122260223 192.0.2.7 54321 typ host","sdpMid":"0"}"""u8.ToArray()),
        ("restart-ice", """{"type":"restart-ice"}"""u8.ToArray()),
        ("leave", """{"type":"leave","extra":[1,{"nested":null},true]}"""u8.ToArray()),
    ];

    private static (string, byte[])[] Srtp()
    {
        var buffer = new byte[2048];
        RtpWriter.TryWritePacket(buffer, false, SdpCodecs.OpusPayloadType, 65535, 48_000, 0x11223344, "opus frame"u8, out int length);
        byte[] rtp = buffer[..length];
        byte[] rtpAfterWrap = [.. rtp];
        rtpAfterWrap[2] = rtpAfterWrap[3] = 0; // sequence 0: the rollover counter moves to 1
        RtcpTestWriter.TryWriteSenderReport(buffer, 0x11223344, 0xE8F4_0000_8000_0000, 48_000, 1, 10, out length);
        byte[] rtcp = buffer[..length];
        var seeds = new List<(string, byte[])>();
        foreach (var profile in SrtpTarget.Profiles)
        {
            seeds.Add(($"plain-{profile}", SrtpTarget.Input(profile, rtp, rtpAfterWrap, rtcp)));
            using var sender = SrtpTarget.NewContext(profile);
            var protectedPackets = new List<byte[]>();
            foreach (var packet in new[] { rtp, rtpAfterWrap })
            {
                sender.ProtectRtp(packet, buffer, out length);
                protectedPackets.Add(buffer[..length]);
            }
            sender.ProtectRtcp(rtcp, buffer, out length);
            protectedPackets.Add(buffer[..length]);
            seeds.Add(($"protected-{profile}", SrtpTarget.Input(profile, [.. protectedPackets, protectedPackets[0]])));
        }
        return [.. seeds];
    }
}
