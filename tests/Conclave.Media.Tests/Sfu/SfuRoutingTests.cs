using System.Buffers.Binary;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtcp;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Tests.Rtcp;
using Conclave.Media.Tests.Transport;
using Conclave.Media.Transport;
using Conclave.Testing;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// The SFU's routing, end to end through ICE, offer/answer, SRTP and the packet path,
/// without a browser and without the kernel: sockets are connected in memory.
/// </summary>
public sealed class SfuRoutingTests : IDisposable
{
    private const uint AliceVideo = 0x11111111, AliceRtx = 0x11112222, AliceAudio = 0x11113333;
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob, _carol;

    public SfuRoutingTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx), audioSsrc: AliceAudio);
        _bob = _sfu.Join("room");
        _carol = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    /// <summary>
    /// An RTP packet as a browser publishes it: an SFrame-shaped payload (VP8 starting a
    /// frame, or Opus for payload type 111) sealed under <paramref name="epoch"/>, with the
    /// sequence number as its SFrame counter.
    /// </summary>
    internal static byte[] Rtp(uint ssrc, ushort seq, int payloadBytes = 100, byte payloadType = SdpCodecs.Vp8PayloadType,
        ushort? transportSequence = null, ulong epoch = SFramePayload.Epoch)
    {
        int extensionBytes = transportSequence is null ? 0 : 8;
        var packet = new byte[12 + extensionBytes + payloadBytes];
        packet[0] = (byte)(0x80 | (transportSequence is null ? 0 : 0x10));
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), seq);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), seq * 3000u);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        if (transportSequence is ushort twcc)
        {
            // RFC 8285 §4.2 one-byte header: 0xBEDE, length 1 word; id 3, L=1 (2 bytes), padding.
            packet[12] = 0xBE; packet[13] = 0xDE; packet[14] = 0; packet[15] = 1;
            packet[16] = (byte)((SdpCodecs.TransportCcExtensionId << 4) | 1);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(17), twcc);
        }
        var payload = packet.AsSpan(12 + extensionBytes);
        if (payloadType == SdpCodecs.OpusPayloadType) SFramePayload.WriteAudio(payload, SFramePayload.KeyId(epoch), seq);
        else SFramePayload.WriteVideo(payload, SFramePayload.KeyId(epoch), seq);
        return packet;
    }

    [Fact]
    public void A_published_packet_reaches_every_other_participant_unchanged_but_for_its_ssrc_and_extensions()
    {
        var sent = Rtp(AliceVideo, 1000, transportSequence: 1);
        _sfu.SendRtp(_alice, sent);

        foreach (var receiver in new[] { _bob, _carol })
        {
            var received = receiver.ReceiveRtp();
            Assert.NotNull(received);
            Assert.True(RtpPacket.TryParse(received, out var rtp));
            Assert.Equal(receiver.ReceivedSsrc(AliceVideo), rtp.Ssrc);
            Assert.NotEqual(AliceVideo, rtp.Ssrc);
            Assert.Equal(1000, rtp.SequenceNumber);
            Assert.False(rtp.HasExtension, "the publisher's transport-wide sequence number is not forwarded");
            Assert.True(RtpPacket.TryParse(sent, out var original));
            Assert.Equal(original.Payload.ToArray(), rtp.Payload.ToArray());
        }
        Assert.Null(_alice.ReceiveRtp());
    }

    [Fact]
    public void A_newcomer_publishing_microphone_and_camera_costs_everyone_else_one_offer_with_both()
    {
        int bobOffers = _bob.Signals.Offers.Count, carolOffers = _carol.Signals.Offers.Count;

        var dave = _sfu.Join("room", video: (0x44441111, 0x44442222), audioSsrc: 0x44443333);

        foreach (var (stayer, before) in new[] { (_bob, bobOffers), (_carol, carolOffers) })
        {
            Assert.Equal(before + 1, stayer.Signals.Offers.Count);
            var tracks = stayer.Signals.Offers[^1].Tracks.Where(t => t.PeerId == dave.Peer.Id).Select(t => t.Kind).Order();
            Assert.Equal([MediaKind.Audio, MediaKind.Video], tracks);
        }
    }

    [Fact]
    public void A_nack_is_answered_from_the_cache_with_rtx_RFC_4588()
    {
        ((InMemoryDatagramSocket)_bob.Socket).LoseIncoming = datagram =>
            DatagramClassifier.Classify(datagram) == DatagramKind.Rtp && BinaryPrimitives.ReadUInt16BigEndian(datagram[2..]) is 13 or 15;
        for (ushort seq = 10; seq < 20; seq++) _sfu.SendRtp(_alice, Rtp(AliceVideo, seq));
        var arrived = new List<ushort>();
        while (_bob.ReceiveRtp() is { } packet) arrived.Add(BinaryPrimitives.ReadUInt16BigEndian(packet.AsSpan(2)));
        Assert.Equal([10, 11, 12, 14, 16, 17, 18, 19], arrived);
        ((InMemoryDatagramSocket)_bob.Socket).LoseIncoming = null;

        var nack = new byte[64];
        Assert.True(RtcpTestWriter.TryWriteNack(nack, 0xB0B, _bob.ReceivedSsrc(AliceVideo), [13, 15], out int nackLength));
        _sfu.SendRtcp(_bob, nack.AsSpan(0, nackLength));

        foreach (ushort lost in new ushort[] { 13, 15 })
        {
            var rtx = _bob.ReceiveRtp();
            Assert.NotNull(rtx);
            Assert.True(RtpPacket.TryParse(rtx, out var packet));
            Assert.Equal(SdpCodecs.RtxPayloadType, packet.PayloadType);
            Assert.Equal(_bob.ReceivedRtxSsrc(AliceVideo), packet.Ssrc);
            Assert.Equal(lost, BinaryPrimitives.ReadUInt16BigEndian(packet.Payload));
            Assert.True(RtpPacket.TryParse(Rtp(AliceVideo, lost), out var original));
            Assert.Equal(original.Payload.ToArray(), packet.Payload[2..].ToArray());
        }
        Assert.Null(_carol.ReceiveRtcp());
    }

    [Fact]
    public void A_pli_reaches_the_publisher_at_most_once_per_300_ms()
    {
        // Bob's and Carol's answers asked Alice for a key frame when they joined; 300 ms on, she may be asked again.
        _sfu.Advance(300);
        var pli = new byte[32];
        foreach (var subscriber in new[] { _bob, _carol })
        {
            Assert.True(RtcpWriter.TryWritePli(pli, 0xB0B, subscriber.ReceivedSsrc(AliceVideo), out int pliLength));
            _sfu.SendRtcp(subscriber, pli.AsSpan(0, pliLength));
        }

        var relayed = _alice.ReceiveRtcp();
        Assert.NotNull(relayed);
        var reader = new RtcpCompoundReader(relayed);
        Assert.True(reader.TryReadNext(out var header, out _));
        Assert.Equal(RtcpPacketType.PayloadFeedback, header.PacketType);
        Assert.Equal(RtcpFeedbackFormat.Pli, header.Fmt);
        Assert.Equal(AliceVideo, header.MediaSsrc);
        Assert.Null(_alice.ReceiveRtcp());
    }

    [Fact]
    public void A_sender_report_is_forwarded_under_each_receivers_ssrc_so_it_can_sync_audio_and_video()
    {
        var sr = new byte[28];
        sr[0] = 0x80; sr[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(sr.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(4), AliceAudio);
        BinaryPrimitives.WriteUInt64BigEndian(sr.AsSpan(8), 0xE000_0000_8000_0000);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(16), 48_000);
        _sfu.SendRtcp(_alice, sr);

        foreach (var receiver in new[] { _bob, _carol })
        {
            var forwarded = receiver.ReceiveRtcp();
            Assert.NotNull(forwarded);
            Assert.Equal(receiver.ReceivedSsrc(AliceAudio), BinaryPrimitives.ReadUInt32BigEndian(forwarded.AsSpan(4)));
            Assert.Equal(sr[8..], forwarded[8..]);
        }
    }

    [Fact]
    public void Transport_cc_feedback_goes_back_to_the_publisher()
    {
        for (ushort seq = 0; seq < 10; seq++) _sfu.SendRtp(_alice, Rtp(AliceVideo, seq, transportSequence: seq));
        _sfu.Advance(1000);

        var feedback = _alice.ReceiveRtcp();
        Assert.NotNull(feedback);
        var reader = new RtcpCompoundReader(feedback);
        Assert.True(reader.TryReadNext(out var header, out _));
        Assert.Equal(RtcpPacketType.TransportFeedback, header.PacketType);
        Assert.Equal(RtcpFeedbackFormat.TransportWideCc, header.Fmt);
    }

    [Fact]
    public void Replayed_forged_unknown_and_unauthenticated_packets_are_counted_and_media_continues()
    {
        var drops = _sfu.Plane.Drops;
        var protectedPacket = new byte[2048];
        Assert.Equal(Media.Srtp.SrtpStatus.Ok, _alice.Outbound.ProtectRtp(Rtp(AliceVideo, 500), protectedPacket, out int length));
        var datagram = protectedPacket.AsSpan(0, length).ToArray();

        _sfu.Deliver(datagram, _alice.Socket);
        _sfu.Deliver(datagram, _alice.Socket);                    // replayed
        Assert.Equal(Media.Srtp.SrtpStatus.Ok, _alice.Outbound.ProtectRtp(Rtp(AliceVideo, 502), protectedPacket, out int forgedLength));
        var forged = protectedPacket.AsSpan(0, forgedLength).ToArray();
        forged[^3] ^= 0x10;
        _sfu.Deliver(forged, _alice.Socket);                      // a fresh index, but the tag fails
        _sfu.SendRtp(_alice, Rtp(0xDEADBEEF, 1));                 // nobody announced this SSRC
        using var stranger = _network.Open();
        _sfu.Deliver(datagram, stranger);                         // never passed ICE
        _sfu.Deliver(IceConnectivityCheck.Request($"{_alice.Peer.Ice.Local.Ufrag}:{HarnessBrowser.IceUfrag}", "not-the-password-at-all!"), stranger);

        Assert.Equal(1, drops[DropReason.SrtpReplayed]);
        Assert.Equal(1, drops[DropReason.SrtpAuthFailed]);
        Assert.Equal(1, drops[DropReason.UnknownSsrc]);
        Assert.Equal(1, drops[DropReason.UnknownAddress]);
        Assert.Equal(1, drops[DropReason.StunBadIntegrity]);

        Assert.NotNull(_bob.ReceiveRtp());   // the one genuine packet
        Assert.Null(_bob.ReceiveRtp());      // and nothing else
        _sfu.SendRtp(_alice, Rtp(AliceVideo, 503));
        Assert.NotNull(_bob.ReceiveRtp());   // media goes on
    }

    [Fact]
    public void Forwarding_allocates_nothing_per_packet()
    {
        var packets = new byte[2000][];
        var scratch = new byte[2048];
        for (int i = 0; i < packets.Length; i++)
        {
            Assert.Equal(Media.Srtp.SrtpStatus.Ok, _alice.Outbound.ProtectRtp(Rtp(AliceVideo, (ushort)(2000 + i), 1100, transportSequence: (ushort)i), scratch, out int n));
            packets[i] = scratch.AsSpan(0, n).ToArray();
        }
        IDatagramHandler handler = _sfu.Plane;
        long now = _sfu.Clock.NowMs;
        for (int i = 0; i < 1000; i++) handler.OnDatagram(packets[i], _alice.Address, now); // warm-up

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 1000; i < 2000; i++) handler.OnDatagram(packets[i], _alice.Address, now);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(2000, _alice.Peer.ProducerOf(MediaSource.Camera)!.PacketsReceived);
    }

    [Fact]
    public void When_a_publisher_leaves_nothing_of_it_is_forwarded_any_more()
    {
        _sfu.Leave(_alice);

        Assert.Empty(_bob.Peer.Consumers);
        Assert.Empty(_carol.Peer.Consumers);
        Assert.Empty(_alice.Signals.Closed); // leaving is not a failure
        long unknownBefore = _sfu.Plane.Drops[DropReason.UnknownAddress];
        _sfu.SendRtp(_alice, Rtp(AliceVideo, 7));
        Assert.Equal(unknownBefore + 1, _sfu.Plane.Drops[DropReason.UnknownAddress]);
        Assert.Null(_bob.ReceiveRtp());
    }

    [Fact]
    public void The_rooms_counters_keep_what_departed_peers_sent_and_received_and_count_their_drops_by_reason()
    {
        for (ushort seq = 1; seq <= 10; seq++) _sfu.SendRtp(_alice, Rtp(AliceVideo, seq, payloadBytes: 100));
        _sfu.SendRtp(_alice, Rtp(AliceVideo, 11, epoch: SFramePayload.Epoch + 100)); // a stale epoch: not relayed
        var before = _sfu.Run(_sfu.Plane.GetStatsAsync()).Rooms.Single();

        _sfu.Leave(_bob);
        _sfu.Leave(_alice);
        var after = _sfu.Run(_sfu.Plane.GetStatsAsync()).Rooms.Single();

        const int packetBytes = 12 + 100;
        Assert.Equal(new RtpTraffic(20, 20 * packetBytes), before.Forwarded);
        Assert.Equal(new RtpTraffic(10, 10 * packetBytes), before.Published); // the stale one is a drop, not published media
        Assert.Equal(before.Forwarded, after.Forwarded);
        Assert.Equal(before.Published, after.Published);
        Assert.Equal(10, Assert.Single(after.Peers).PacketsForwardedTo);
        Assert.Equal(1, after.Drops[DropReason.NotSFrame]);
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.NotSFrame]);
    }

    [Fact]
    public void An_ice_restart_retires_the_old_ufrag_and_answers_the_new_one()
    {
        var old = _bob.Peer.Ice.Local;
        _sfu.Run(_bob.Handle.RestartIceAsync());
        var fresh = _bob.Peer.Ice.Local;
        Assert.NotEqual(old.Ufrag, fresh.Ufrag);
        long unknownBefore = _sfu.Plane.Drops[DropReason.StunUnknownUsername];

        _sfu.Deliver(IceConnectivityCheck.Request($"{old.Ufrag}:browser", old.Password), _bob.Socket);
        Assert.Equal(unknownBefore + 1, _sfu.Plane.Drops[DropReason.StunUnknownUsername]);
        _sfu.Deliver(IceConnectivityCheck.Request($"{fresh.Ufrag}:browser", fresh.Password, useCandidate: true), _bob.Socket);
        var datagram = _bob.ReceiveDatagram();
        Assert.NotNull(datagram);
        Assert.True(Conclave.Media.Stun.StunMessage.TryParse(datagram, out var response));
        Assert.Equal(Conclave.Media.Stun.StunMessageType.BindingSuccessResponse, response.MessageType);
        Assert.True(response.VerifyMessageIntegrity(System.Text.Encoding.UTF8.GetBytes(fresh.Password)));
    }

    [Fact]
    public void A_peer_without_consent_for_30_s_is_dropped_RFC_7675()
    {
        _sfu.Advance(29_000);
        Assert.False(_bob.Peer.IsClosed);
        _sfu.Advance(2_000);
        Assert.True(_bob.Peer.IsClosed);
        Assert.Contains(_bob.Signals.Closed, reason => reason.Contains("consent"));
    }
}
