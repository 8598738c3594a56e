using System.Buffers.Binary;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtcp;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Tests.Rtcp;
using Conclave.Media.Tests.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// Who may make a publisher send a key frame: the appliance when a member joined the MLS
/// group (it can open nothing before the next key frame) and when a publisher's frames under a
/// new epoch begin without one, and each subscriber within a budget per stream.
/// </summary>
public sealed class KeyFrameRequestTests : IDisposable
{
    private const uint AliceVideo = 0x61111111, AliceRtx = 0x61112222, AliceAudio = 0x61113333;
    private const uint DaveVideo = 0x64111111, DaveRtx = 0x64112222;
    private const uint CarolAudio = 0x63113333;
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob, _carol, _dave;
    private ushort _aliceSequence = 1;

    public KeyFrameRequestTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx), audioSsrc: AliceAudio);
        _bob = _sfu.Join("room");
        _carol = _sfu.Join("room", audioSsrc: CarolAudio);
        _dave = _sfu.Join("room", video: (DaveVideo, DaveRtx));
        // Each subscriber's start asked the publishers for a key frame; the streams' 300 ms throttles pass again from here.
        _sfu.Advance(300);
    }

    public void Dispose() => _sfu.Dispose();

    [Fact]
    public void Request_key_frames_sends_one_pli_to_each_video_publisher_of_the_room()
    {
        _sfu.RequestKeyFrames("room");

        Assert.Equal([AliceVideo], _alice.PliTargets());
        Assert.Equal([DaveVideo], _dave.PliTargets());
        Assert.Empty(_bob.PliTargets());
        Assert.Empty(_carol.PliTargets());
    }

    [Fact]
    public void Request_key_frames_goes_through_each_streams_300_ms_throttle()
    {
        _sfu.RequestKeyFrames("room");
        _sfu.RequestKeyFrames("room");
        Assert.Equal([AliceVideo], _alice.PliTargets());

        _sfu.Advance(300);
        _sfu.RequestKeyFrames("room");
        Assert.Equal([AliceVideo], _alice.PliTargets());
    }

    [Fact]
    public void Request_key_frames_for_another_room_asks_no_one_here()
    {
        _sfu.RequestKeyFrames("another room");

        Assert.Empty(_alice.PliTargets());
        Assert.Empty(_dave.PliTargets());
    }

    [Fact]
    public void A_subscriber_flooding_plis_has_5_relayed_per_10_s_while_another_subscribers_request_still_goes_through()
    {
        for (int i = 0; i < 20; i++)
        {
            _sfu.Advance(300); // past the stream's throttle: only the budget stops these
            SendPli(_bob, AliceVideo);
        }
        Assert.Equal(Enumerable.Repeat(AliceVideo, 5), _alice.PliTargets());
        Assert.Equal(15, _sfu.Plane.Drops[DropReason.KeyFrameRequestOverBudget]);

        _sfu.Advance(300);
        SendPli(_carol, AliceVideo);
        Assert.Equal([AliceVideo], _alice.PliTargets());

        _sfu.Advance(10_000);
        SendPli(_bob, AliceVideo);
        Assert.Equal([AliceVideo], _alice.PliTargets()); // the window moved on
    }

    [Fact]
    public void A_subscribers_budget_is_per_stream()
    {
        for (int i = 0; i < Consumer.MaxKeyFrameRequestsPerWindow; i++)
        {
            _sfu.Advance(300);
            SendPli(_bob, AliceVideo);
        }
        _sfu.Advance(300);
        SendPli(_bob, AliceVideo);
        SendPli(_bob, DaveVideo);

        Assert.Equal(Consumer.MaxKeyFrameRequestsPerWindow, _alice.PliTargets().Count);
        Assert.Equal([DaveVideo], _dave.PliTargets());
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.KeyFrameRequestOverBudget]);
    }

    [Fact]
    public void Firs_and_plis_share_one_budget()
    {
        var fir = new byte[20];
        for (int i = 0; i < 6; i++)
        {
            _sfu.Advance(300);
            if (i % 2 == 0)
            {
                SendPli(_bob, AliceVideo);
                continue;
            }
            Assert.True(RtcpTestWriter.TryWriteFir(fir, 0xB0B, _bob.ReceivedSsrc(AliceVideo), (byte)i, out int length));
            _sfu.SendRtcp(_bob, fir.AsSpan(0, length));
        }

        Assert.Equal(Consumer.MaxKeyFrameRequestsPerWindow, _alice.PliTargets().Count);
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.KeyFrameRequestOverBudget]);
    }

    [Fact]
    public void A_publisher_that_starts_delta_frames_under_a_new_epoch_is_asked_for_a_key_frame_until_one_under_that_epoch_comes()
    {
        SendAliceFrame(SFramePayload.Epoch, keyFrame: true);
        SendAliceFrame(SFramePayload.Epoch, keyFrame: false);
        Assert.Empty(_alice.PliTargets());

        // A member joined: the room moves on, and Alice, still on the old epoch for a while, is not asked yet.
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch + 1);
        SendAliceFrame(SFramePayload.Epoch, keyFrame: false);
        Assert.Empty(_alice.PliTargets());

        // Her first frame under the new epoch is a delta frame the newcomer cannot decode: asked.
        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: false);
        Assert.Equal([AliceVideo], _alice.PliTargets());
        // Asked again, through the throttle, while none comes.
        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: false);
        Assert.Empty(_alice.PliTargets());
        _sfu.Advance(300);
        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: false);
        Assert.Equal([AliceVideo], _alice.PliTargets());

        // The key frame under the new epoch came: delta frames after it ask for nothing.
        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: true);
        _sfu.Advance(300);
        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: false);
        Assert.Empty(_alice.PliTargets());
    }

    [Fact]
    public void A_publisher_whose_first_frame_under_a_new_epoch_is_a_key_frame_is_not_asked_for_another()
    {
        SendAliceFrame(SFramePayload.Epoch, keyFrame: true);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch + 1);

        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: true);
        _sfu.Advance(300);
        SendAliceFrame(SFramePayload.Epoch + 1, keyFrame: false);

        Assert.Empty(_alice.PliTargets());
    }

    /// <summary>One packet of Alice's camera that starts a frame sealed under <paramref name="epoch"/>.</summary>
    private void SendAliceFrame(ulong epoch, bool keyFrame)
    {
        var packet = new byte[12 + 200];
        packet[0] = 0x80;
        packet[1] = SdpCodecs.Vp8PayloadType;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), _aliceSequence);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), AliceVideo);
        SFramePayload.WriteVideo(packet.AsSpan(12), SFramePayload.KeyId(epoch), _aliceSequence++, keyFrame);
        _sfu.SendRtp(_alice, packet);
    }

    /// <summary>A PLI from a subscriber for the stream it receives of <paramref name="publisherSsrc"/> (under its own SSRC).</summary>
    private void SendPli(HarnessBrowser from, uint publisherSsrc)
    {
        var pli = new byte[12];
        Assert.True(RtcpWriter.TryWritePli(pli, 0xB0B, from.ReceivedSsrc(publisherSsrc), out int length));
        _sfu.SendRtcp(from, pli.AsSpan(0, length));
    }
}
