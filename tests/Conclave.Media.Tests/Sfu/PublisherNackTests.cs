using System.Buffers.Binary;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtcp;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Tests.Rtcp;
using Conclave.Media.Tests.Transport;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// Video a publisher loses on the way to the appliance is asked for again with generic
/// NACKs (RFC 4585 §6.2.1), and its RTX answers (RFC 4588) reach subscribers and the
/// forward tap as the packets they replace, each once.
/// </summary>
public sealed class PublisherNackTests : IDisposable
{
    private const uint AliceVideo = 0x81111111, AliceRtx = 0x81112222;
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly RecordingForwardTap _tap = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob;
    private ushort _nextRtxSequence = 40_000;

    public PublisherNackTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0, _tap);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx));
        _bob = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    private Producer Video => _alice.Peer.ProducerOf(MediaSource.Camera)!;

    [Fact]
    public void A_publisher_that_lost_5_9_and_10_gets_one_nack_naming_them_after_the_reorder_delay_and_not_before()
    {
        Publish(1, 12, except: [5, 9, 10]);

        _sfu.Advance(LossTracker.ReorderDelayMs - 10);
        Assert.Empty(Nacks(_alice));

        _sfu.Advance(10);
        Assert.Equal([[5, 9, 10]], Nacks(_alice));
        Assert.Equal(1, Video.NacksSent);
    }

    [Fact]
    public void A_packet_that_arrives_late_within_the_reorder_delay_is_not_asked_for_and_is_forwarded_as_it_came()
    {
        Publish(1, 4, except: [3]);
        _bob.Drain();

        _sfu.Advance(10);
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 3));
        for (int i = 0; i < 10; i++) _sfu.Advance(10);

        Assert.Empty(Nacks(_alice));
        Assert.True(RtpPacket.TryParse(_bob.ReceiveRtp(), out var late));
        Assert.Equal((_bob.ReceivedSsrc(AliceVideo), (ushort)3, SdpCodecs.Vp8PayloadType), (late.Ssrc, late.SequenceNumber, late.PayloadType));
    }

    [Fact]
    public void The_publishers_rtx_answers_reach_the_subscriber_as_rtx_in_order_and_complete_the_stream()
    {
        Publish(1, 12, except: [5, 9, 10]);
        var primary = ReceiveAll(_bob);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        Assert.Equal([[5, 9, 10]], Nacks(_alice));

        SendRtx(5);
        SendRtx(9, transportSequence: 77); // Chromium's RTX carries the transport-wide sequence number too
        SendRtx(10);

        var recovered = ReceiveAll(_bob);
        Assert.Equal(3, recovered.Count);
        var restored = new List<ushort>();
        for (int i = 0; i < recovered.Count; i++)
        {
            Assert.True(RtpPacket.TryParse(recovered[i], out var rtx));
            Assert.Equal((_bob.ReceivedRtxSsrc(AliceVideo), SdpCodecs.RtxPayloadType), (rtx.Ssrc, rtx.PayloadType));
            ushort original = BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload);
            Assert.True(RtpPacket.TryParse(SfuRoutingTests.Rtp(AliceVideo, original), out var sent));
            Assert.Equal(sent.Payload.ToArray(), rtx.Payload[2..].ToArray());
            Assert.Equal(sent.Timestamp, rtx.Timestamp);
            restored.Add(original);
            if (i > 0) Assert.Equal(1, SequenceNumber.Distance(SequenceOf(recovered[i - 1]), rtx.SequenceNumber));
        }
        Assert.Equal([5, 9, 10], restored);
        Assert.Equal(Enumerable.Range(1, 12).Select(s => (ushort)s), primary.Select(SequenceOf).Concat(restored).Order());
        Assert.Equal(3, Video.PacketsRecovered);
    }

    [Fact]
    public void The_forward_tap_sees_each_recovered_packet_once_with_the_original_ssrc_sequence_number_and_payload_type()
    {
        Publish(1, 12, except: [5, 9, 10]);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        _tap.Seen.Clear();

        SendRtx(5);
        SendRtx(9, transportSequence: 78);
        SendRtx(10);
        SendRtx(9); // a second answer to the same ask

        Assert.Equal([5, 9, 10], _tap.Seen.Select(seen => SequenceOf(seen.Packet)));
        foreach (var (_, publisher, kind, packet) in _tap.Seen)
        {
            Assert.Equal((_alice.Peer.Id, MediaKind.Video), (publisher, kind));
            Assert.Equal(SfuRoutingTests.Rtp(AliceVideo, SequenceOf(packet)), packet); // byte for byte the lost original
        }
    }

    [Fact]
    public void A_duplicate_retransmission_a_late_original_and_an_rtx_probe_of_a_received_packet_are_dropped_and_counted()
    {
        Publish(1, 12, except: [5]);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        SendRtx(5);
        _bob.Drain();
        int tapped = _tap.Seen.Count;

        SendRtx(5);                                               // answered twice
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 5)); // the original, later than its retransmission
        SendRtx(3);                                               // Chromium's probe resending a packet that arrived

        Assert.Equal(3, _sfu.Plane.Drops[DropReason.RtpDuplicate]);
        Assert.Null(_bob.ReceiveRtp());
        Assert.Equal(tapped, _tap.Seen.Count);
        Assert.Equal(1, Video.PacketsRecovered);
    }

    [Fact]
    public void A_subscribers_nack_for_a_packet_just_recovered_for_it_is_a_repeated_request()
    {
        Publish(1, 12, except: [5]);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        SendRtx(5);
        _bob.Drain();

        var nack = new byte[16];
        Assert.True(RtcpTestWriter.TryWriteNack(nack, 0xB0B, _bob.ReceivedSsrc(AliceVideo), [5], out int length));
        _sfu.SendRtcp(_bob, nack.AsSpan(0, length));

        Assert.Null(_bob.ReceiveRtp());
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.RetransmissionTooSoon]);
    }

    [Fact]
    public void A_packet_never_answered_is_asked_three_times_a_resend_interval_apart_then_given_up_after_a_second()
    {
        Publish(1, 12, except: [5]);
        long start = _sfu.Clock.NowMs;
        var askedAtMs = new List<long>();

        while (_sfu.Clock.NowMs - start < LossTracker.GiveUpAfterMs - 10)
        {
            _sfu.Advance(10);
            foreach (var nack in Nacks(_alice))
            {
                Assert.Equal([5], nack);
                askedAtMs.Add(_sfu.Clock.NowMs - start);
            }
        }
        Assert.Equal(0, Video.PacketsGivenUp);
        _sfu.Advance(10);

        long first = LossTracker.ReorderDelayMs, interval = LossTracker.ResendIntervalMs;
        Assert.Equal([first, first + interval, first + 2 * interval], askedAtMs);
        Assert.Equal(LossTracker.MaxNacksPerPacket, askedAtMs.Count);
        Assert.Equal(1, Video.PacketsGivenUp);
        Assert.Empty(Nacks(_alice));
    }

    [Fact]
    public void A_flood_of_losses_is_asked_for_within_the_budget_and_the_rest_is_given_up_and_counted()
    {
        const int Lost = 400;
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 1));
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 2 + Lost));

        var nacks = new List<List<ushort>>();
        for (int i = 0; i < 150; i++)
        {
            _sfu.Advance(10);
            var sent = Nacks(_alice);
            Assert.True(sent.Count <= 1, "at most one NACK per tick");
            nacks.AddRange(sent);
        }

        Assert.All(nacks, nack => Assert.InRange(nack.Count, 1, LossTracker.MaxPacketsPerNack));
        Assert.Equal(LossTracker.MaxNackedPacketsPerSecond, nacks.Sum(nack => nack.Count));
        Assert.Equal(Lost, _sfu.Plane.Drops[DropReason.NackOverBudget]); // 150 never asked, 250 refused their second ask
        Assert.Equal(Lost, Video.PacketsGivenUp);
        Assert.Equal(LossTracker.MaxNackedPacketsPerSecond, Video.PacketsNacked);
    }

    [Fact]
    public void Rtx_too_short_for_the_original_sequence_number_or_of_another_payload_type_is_a_counted_drop()
    {
        Publish(1, 12, except: [5]);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        _bob.Drain();
        _tap.Seen.Clear();

        _sfu.SendRtp(_alice, RtxHeaderAnd(AliceRtx, SdpCodecs.RtxPayloadType, [0x00]));     // one byte: no OSN
        _sfu.SendRtp(_alice, RtxHeaderAnd(AliceRtx, SdpCodecs.Vp8PayloadType, [0x00, 0x05, 0x90, 0x80])); // not rtx's payload type

        Assert.Equal(2, _sfu.Plane.Drops[DropReason.RtxMalformed]);
        Assert.Null(_bob.ReceiveRtp());
        Assert.Empty(_tap.Seen);
        Assert.Equal(0, Video.PacketsRecovered);
    }

    [Fact]
    public void Rtx_on_an_ssrc_nobody_announced_is_a_counted_drop()
    {
        Publish(1, 12, except: [5]);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        _bob.Drain();

        _sfu.SendRtp(_alice, Rtx(0x0BADBEEF, 5));

        Assert.Equal(1, _sfu.Plane.Drops[DropReason.UnknownSsrc]);
        Assert.Null(_bob.ReceiveRtp());
        Assert.Equal(0, Video.PacketsRecovered);
    }

    [Fact]
    public void A_padding_only_probe_on_the_rtx_stream_is_neither_a_drop_nor_a_recovery()
    {
        _sfu.SendRtp(_alice, RtxHeaderAnd(AliceRtx, SdpCodecs.RtxPayloadType, []));

        Assert.Equal(0, _sfu.Plane.Drops[DropReason.RtxMalformed]);
        Assert.Null(_bob.ReceiveRtp());
    }

    [Fact]
    public void The_stats_show_what_was_asked_recovered_and_given_up()
    {
        Publish(1, 12, except: [5, 9]);
        _sfu.Advance(LossTracker.ReorderDelayMs);
        SendRtx(9);
        for (int i = 0; i < 100; i++) _sfu.Advance(10);

        var stats = _sfu.Run(_sfu.Plane.GetStatsAsync());

        var alice = Assert.Single(stats.Rooms.Single().Peers, peer => peer.PeerId == _alice.Peer.Id);
        Assert.Equal(new PublishedLossStats(NacksSent: 3, PacketsNacked: 4, PacketsRecovered: 1, PacketsGivenUp: 1), alice.VideoLoss);
    }

    [Fact]
    public void Recovering_lost_packets_allocates_nothing_per_packet()
    {
        // Every other packet is lost; the loop asks for each, and each comes back as RTX.
        // This fixture's tap copies every packet, so the plane here has none.
        using var sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0);
        sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        var alice = sfu.Join("room", video: (AliceVideo, AliceRtx));
        sfu.Join("room");
        const int Pairs = 1000;
        var primaries = new byte[Pairs][];
        var answers = new byte[Pairs][];
        var scratch = new byte[2048];
        for (int i = 0; i < Pairs; i++)
        {
            ushort kept = (ushort)(1000 + 2 * i), lost = (ushort)(kept + 1);
            SfuHarness.Ensure(alice.Outbound.ProtectRtp(SfuRoutingTests.Rtp(AliceVideo, kept, 1100), scratch, out int n));
            primaries[i] = scratch.AsSpan(0, n).ToArray();
            SfuHarness.Ensure(alice.Outbound.ProtectRtp(Rtx(AliceRtx, lost, 1100), scratch, out n));
            answers[i] = scratch.AsSpan(0, n).ToArray();
        }
        IDatagramHandler handler = sfu.Plane;
        long now = sfu.Clock.NowMs;
        handler.OnDatagram(primaries[0], alice.Address, now);
        now = Recover(handler, alice, primaries, answers, 1, 500, now); // warm-up

        long before = GC.GetAllocatedBytesForCurrentThread();
        Recover(handler, alice, primaries, answers, 500, Pairs, now);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
        Assert.Equal(Pairs - 1, alice.Peer.ProducerOf(MediaSource.Camera)!.PacketsRecovered);
        Assert.Equal(Pairs - 1, alice.Peer.ProducerOf(MediaSource.Camera)!.PacketsNacked);
    }

    /// <summary>
    /// Packet <c>i</c> shows the gap behind packet <c>i - 1</c>; a reorder delay later the
    /// loop asks for it, and its answer arrives. Returns the time reached.
    /// </summary>
    private static long Recover(IDatagramHandler handler, HarnessBrowser publisher, byte[][] primaries, byte[][] answers, int from, int to, long nowMs)
    {
        for (int i = from; i < to; i++)
        {
            handler.OnDatagram(primaries[i], publisher.Address, nowMs);
            nowMs += LossTracker.ReorderDelayMs;
            handler.OnTick(nowMs);
            handler.OnDatagram(answers[i - 1], publisher.Address, nowMs);
        }
        return nowMs;
    }

    /// <summary>Publishes <paramref name="first"/>..<paramref name="last"/> but for the packets lost on the way.</summary>
    private void Publish(ushort first, ushort last, ushort[] except)
    {
        for (ushort seq = first; seq <= last; seq++)
        {
            if (!except.Contains(seq)) _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, seq));
        }
    }

    /// <summary>Alice answers a NACK for <paramref name="lost"/> on her RTX stream.</summary>
    private void SendRtx(ushort lost, ushort? transportSequence = null) =>
        _sfu.SendRtp(_alice, Rtx(AliceRtx, lost, transportSequence: transportSequence));

    /// <summary>
    /// The RTX packet a browser sends for <see cref="SfuRoutingTests.Rtp"/>'s packet
    /// <paramref name="lost"/> (RFC 4588 §4): its header with the rtx payload type, the RTX
    /// stream's sequence number and SSRC, then the original sequence number and payload.
    /// </summary>
    private byte[] Rtx(uint rtxSsrc, ushort lost, int payloadBytes = 100, ushort? transportSequence = null)
    {
        var original = SfuRoutingTests.Rtp(AliceVideo, lost, payloadBytes, transportSequence: transportSequence);
        Assert.True(RtpPacket.TryParse(original, out var parsed));
        var rtx = new byte[original.Length + 2];
        original.AsSpan(0, parsed.HeaderLength).CopyTo(rtx);
        rtx[1] = SdpCodecs.RtxPayloadType;
        BinaryPrimitives.WriteUInt16BigEndian(rtx.AsSpan(2), _nextRtxSequence++);
        BinaryPrimitives.WriteUInt32BigEndian(rtx.AsSpan(8), rtxSsrc);
        BinaryPrimitives.WriteUInt16BigEndian(rtx.AsSpan(parsed.HeaderLength), lost);
        parsed.Payload.CopyTo(rtx.AsSpan(parsed.HeaderLength + 2));
        return rtx;
    }

    private byte[] RtxHeaderAnd(uint ssrc, byte payloadType, byte[] payload)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _nextRtxSequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet, 12);
        return packet;
    }

    /// <summary>The lost sequence numbers of each NACK the appliance sent this publisher since last asked.</summary>
    private List<List<ushort>> Nacks(HarnessBrowser publisher)
    {
        var nacks = new List<List<ushort>>();
        while (publisher.ReceiveRtcp() is { } compound)
        {
            var reader = new RtcpCompoundReader(compound);
            while (reader.TryReadNext(out var header, out var packet))
            {
                if (header.PacketType != RtcpPacketType.TransportFeedback || header.Fmt != RtcpFeedbackFormat.Nack) continue;
                Assert.Equal((publisher.Peer.LocalSsrc, AliceVideo), (header.SenderSsrc, header.MediaSsrc));
                var lost = new List<ushort>();
                var entries = new NackEnumerator(packet);
                while (entries.MoveNext()) lost.Add(entries.Current);
                nacks.Add(lost);
            }
        }
        return nacks;
    }

    private static List<byte[]> ReceiveAll(HarnessBrowser browser)
    {
        var packets = new List<byte[]>();
        while (browser.ReceiveRtp() is { } packet) packets.Add(packet);
        return packets;
    }

    private static ushort SequenceOf(byte[] rtp) => BinaryPrimitives.ReadUInt16BigEndian(rtp.AsSpan(2));
}
