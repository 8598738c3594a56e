using System.Buffers.Binary;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Tests.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// Every meeting is end-to-end encrypted: the SFU relays only media shaped as SFrame
/// (RFC 9605) under the room's current MLS epoch or the two before it, and closes a
/// publisher that keeps sending anything else.
/// </summary>
public sealed class SFrameForwardingTests : IDisposable
{
    private const uint AliceVideo = 0x51111111, AliceRtx = 0x51112222, AliceAudio = 0x51113333;
    private const ulong RoomEpoch = 300; // low 8 bits 44
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob;
    private ushort _nextSequence = 100;

    public SFrameForwardingTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0);
        _sfu.SetRoomEpoch("room", RoomEpoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx), audioSsrc: AliceAudio);
        _bob = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    private long NotSFrame => _sfu.Plane.Drops[DropReason.NotSFrame];

    [Fact]
    public void Plain_opus_is_dropped_and_counted_and_the_publisher_closed_after_more_than_50_such_packets_within_10_s()
    {
        // Chromium's Opus TOC byte 0xFC reads as a config byte announcing an 8-byte KID
        // and a 5-byte CTR; the KID's low byte here is 0xAA, no epoch of this room.
        var plainOpus = new byte[80];
        plainOpus[0] = 0xFC;
        plainOpus.AsSpan(1).Fill(0xAA);

        for (int i = 0; i < 50; i++) SendAudio(plainOpus);

        Assert.Equal(50, NotSFrame);
        Assert.Null(_bob.ReceiveRtp());
        Assert.False(_alice.Peer.IsClosed);
        Assert.Equal(0, _alice.Peer.ProducerOf(MediaSource.Microphone)!.PacketsReceived);

        SendAudio(plainOpus);

        Assert.Equal(51, NotSFrame);
        Assert.True(_alice.Peer.IsClosed);
        Assert.Equal(["media-not-encrypted"], _alice.Signals.Closed);
        Assert.Empty(_bob.Peer.Consumers);
    }

    [Fact]
    public void Plain_vp8_frames_are_dropped_and_counted_and_the_publisher_closed_after_more_than_50_within_10_s()
    {
        for (int i = 0; i < 51 && !_alice.Peer.IsClosed; i++)
        {
            var plainVp8 = new byte[300];
            plainVp8[0] = 0x10; // S=1, PID=0
            int prefix = SFramePayload.WritePrefix(plainVp8.AsSpan(1), keyFrame: i == 0);
            plainVp8.AsSpan(1 + prefix).Fill(0x00); // VP8 data where the SFrame header belongs: KID 0
            SendVideo(plainVp8);
            Assert.Null(_bob.ReceiveRtp());
        }

        Assert.Equal(51, NotSFrame);
        Assert.Equal(["media-not-encrypted"], _alice.Signals.Closed);
    }

    [Fact]
    public void Fifty_failures_in_each_of_two_10_s_windows_do_not_close_the_publisher()
    {
        var plain = new byte[80];
        for (int i = 0; i < 50; i++) SendAudio(plain);
        _sfu.Advance(10_000);
        for (int i = 0; i < 50; i++) SendAudio(plain);

        Assert.Equal(100, NotSFrame);
        Assert.False(_alice.Peer.IsClosed);
        SendAudio(Audio(RoomEpoch));
        Assert.NotNull(_bob.ReceiveRtp()); // and what is encrypted is still relayed
    }

    [Fact]
    public void Before_the_room_has_an_epoch_every_media_packet_is_dropped()
    {
        var carol = _sfu.Join("no-epoch-yet", video: (0x52111111, 0x52112222), audioSsrc: 0x52113333);
        var dave = _sfu.Join("no-epoch-yet");

        _sfu.SendRtp(carol, SfuRoutingTests.Rtp(0x52113333, 1, payloadType: SdpCodecs.OpusPayloadType, epoch: 0));
        _sfu.SendRtp(carol, SfuRoutingTests.Rtp(0x52111111, 1, epoch: 0));
        _sfu.SendRtp(carol, Video(0x52111111, 2, continuation: true));

        Assert.Equal(3, NotSFrame);
        Assert.Null(dave.ReceiveRtp());

        _sfu.SetRoomEpoch("no-epoch-yet", 0);
        _sfu.SendRtp(carol, SfuRoutingTests.Rtp(0x52111111, 3, epoch: 0));
        Assert.NotNull(dave.ReceiveRtp());
    }

    [Fact]
    public void An_epoch_told_before_anyone_joined_applies_to_the_room_once_it_exists()
    {
        _sfu.SetRoomEpoch("later", 12);
        var carol = _sfu.Join("later", video: (0x53111111, 0x53112222));
        var dave = _sfu.Join("later");

        _sfu.SendRtp(carol, SfuRoutingTests.Rtp(0x53111111, 1, epoch: 12));

        Assert.NotNull(dave.ReceiveRtp());
        Assert.Equal(0, NotSFrame);
    }

    [Theory]
    [InlineData(RoomEpoch, true)]
    [InlineData(RoomEpoch - 1, true)]
    [InlineData(RoomEpoch - 2, true)]
    [InlineData(RoomEpoch - 3, false)]
    [InlineData(RoomEpoch + 1, false)]
    [InlineData(RoomEpoch - 256, true)] // only the low 8 bits travel in the KID
    public void SFrame_under_the_rooms_epoch_or_the_two_before_is_forwarded_and_any_other_dropped(ulong senderEpoch, bool forwarded)
    {
        SendAudio(Audio(senderEpoch));
        SendVideo(Video(senderEpoch, keyFrame: true));
        SendVideo(Video(senderEpoch));

        Assert.Equal(forwarded ? 3 : 0, ReceivedCount(_bob));
        Assert.Equal(forwarded ? 0 : 3, NotSFrame);
    }

    [Theory]
    [InlineData(1UL, 0xFFUL)]   // epoch 1 accepts 1, 0 and, modulo 256, 255
    [InlineData(0x100UL, 0xFEUL)]
    public void The_epoch_window_wraps_around_modulo_256(ulong roomEpoch, ulong twoBefore)
    {
        _sfu.SetRoomEpoch("room", roomEpoch);

        SendAudio(Audio(twoBefore));
        SendAudio(Audio(twoBefore - 1));

        Assert.Equal(1, ReceivedCount(_bob));
        Assert.Equal(1, NotSFrame);
    }

    [Fact]
    public void A_new_epoch_stops_the_relay_of_media_three_epochs_old()
    {
        SendAudio(Audio(RoomEpoch));
        Assert.Equal(1, ReceivedCount(_bob));

        _sfu.SetRoomEpoch("room", RoomEpoch + 3);
        SendAudio(Audio(RoomEpoch));
        SendAudio(Audio(RoomEpoch + 3));

        Assert.Equal(1, ReceivedCount(_bob));
        Assert.Equal(1, NotSFrame);
    }

    [Fact]
    public void Vp8_packets_that_continue_a_frame_are_forwarded_whatever_they_carry()
    {
        SendVideo(Video(RoomEpoch, keyFrame: true));
        var continuation = new byte[200];
        continuation[0] = 0x00; // S=0: ciphertext from the middle of the frame
        continuation.AsSpan(1).Fill(0x5A);
        SendVideo(continuation);
        var laterPartition = new byte[200];
        laterPartition[0] = 0x11; // S=1 of partition 1: not where the frame starts
        SendVideo(laterPartition);

        Assert.Equal(3, ReceivedCount(_bob));
        Assert.Equal(0, NotSFrame);
    }

    [Fact]
    public void A_key_frame_keeps_10_bytes_clear_and_another_frame_3_before_the_sframe_header()
    {
        var header = SFramePayload.Header(SFramePayload.KeyId(RoomEpoch), 9);

        SendVideo(Vp8(keyFrame: true, clearBytes: 10, header));
        SendVideo(Vp8(keyFrame: false, clearBytes: 3, header));
        Assert.Equal(2, ReceivedCount(_bob));

        SendVideo(Vp8(keyFrame: true, clearBytes: 3, header));   // a key frame's header read 7 bytes too early
        SendVideo(Vp8(keyFrame: false, clearBytes: 10, header)); // another frame's header read inside its clear bytes
        Assert.Equal(0, ReceivedCount(_bob));
        Assert.Equal(2, NotSFrame);
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void A_first_packet_without_room_for_prefix_header_and_tag_is_dropped(bool keyFrame)
    {
        var header = SFramePayload.Header(SFramePayload.KeyId(RoomEpoch), 0x1234);
        int clear = keyFrame ? 10 : 3;

        SendVideo(Vp8(keyFrame, clear, header, afterHeader: SFrameHeaderView.TagLength - 1));
        Assert.Equal(0, ReceivedCount(_bob));
        SendVideo(Vp8(keyFrame, clear, header, afterHeader: SFrameHeaderView.TagLength));
        Assert.Equal(1, ReceivedCount(_bob));
        SendVideo(Vp8(keyFrame, clear, [], afterHeader: 0)); // the prefix alone
        SendVideo([0x90, 0x80, 0x81]);                         // a descriptor cut short

        Assert.Equal(0, ReceivedCount(_bob));
        Assert.Equal(3, NotSFrame);
    }

    [Fact]
    public void Opus_without_room_for_the_tag_after_its_header_is_dropped()
    {
        var header = SFramePayload.Header(SFramePayload.KeyId(RoomEpoch), 0x1234);

        SendAudio([.. header, .. new byte[SFrameHeaderView.TagLength - 1]]);
        SendAudio([.. header, .. new byte[SFrameHeaderView.TagLength]]);

        Assert.Equal(1, ReceivedCount(_bob));
        Assert.Equal(1, NotSFrame);
    }

    [Fact]
    public void A_padding_only_probe_is_neither_forwarded_nor_counted_as_plain_media()
    {
        var probe = new byte[12 + 200];
        probe[0] = 0xA0; // V=2, P
        probe[1] = SdpCodecs.Vp8PayloadType;
        BinaryPrimitives.WriteUInt32BigEndian(probe.AsSpan(8), AliceVideo);
        probe[^1] = 200;

        for (int i = 0; i < 60; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(probe.AsSpan(2), _nextSequence++);
            _sfu.SendRtp(_alice, probe);
        }

        Assert.Equal(0, NotSFrame);
        Assert.Null(_bob.ReceiveRtp());
        Assert.False(_alice.Peer.IsClosed);
    }

    private static byte[] Audio(ulong epoch)
    {
        var payload = new byte[60];
        SFramePayload.WriteAudio(payload, SFramePayload.KeyId(epoch), 5);
        return payload;
    }

    private static byte[] Video(ulong epoch, bool keyFrame = false)
    {
        var payload = new byte[300];
        SFramePayload.WriteVideo(payload, SFramePayload.KeyId(epoch), 5, keyFrame);
        return payload;
    }

    private static byte[] Video(uint ssrc, ushort seq, bool continuation)
    {
        var packet = SfuRoutingTests.Rtp(ssrc, seq, epoch: 0);
        if (continuation) packet[12] &= 0xEF; // S=0
        return packet;
    }

    /// <summary>Chromium's 4-byte descriptor, <paramref name="clearBytes"/> of frame start, the header, then filler.</summary>
    private static byte[] Vp8(bool keyFrame, int clearBytes, byte[] header, int afterHeader = 100)
    {
        var payload = new byte[SFramePayload.Vp8DescriptorLength + clearBytes + header.Length + afterHeader];
        SFramePayload.WriteVideo(payload, 0, 0, startsFrame: false);
        payload[0] |= 0x10; // S=1
        var clear = payload.AsSpan(SFramePayload.Vp8DescriptorLength, clearBytes);
        clear.Fill(0x77); // bytes no header reads as this room's epoch
        clear[0] = (byte)(keyFrame ? 0x50 : 0x31);
        header.CopyTo(payload, SFramePayload.Vp8DescriptorLength + clearBytes);
        return payload;
    }

    private void SendAudio(byte[] payload) => SendRtp(AliceAudio, SdpCodecs.OpusPayloadType, payload);

    private void SendVideo(byte[] payload) => SendRtp(AliceVideo, SdpCodecs.Vp8PayloadType, payload);

    private void SendRtp(uint ssrc, byte payloadType, byte[] payload)
    {
        var packet = new byte[12 + payload.Length];
        packet[0] = 0x80;
        packet[1] = payloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _nextSequence++);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), ssrc);
        payload.CopyTo(packet, 12);
        _sfu.SendRtp(_alice, packet);
    }

    private static int ReceivedCount(HarnessBrowser browser)
    {
        int count = 0;
        while (browser.ReceiveRtp() is not null) count++;
        return count;
    }
}
