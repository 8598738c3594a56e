using Conclave.Media.Diagnostics;
using Conclave.Media.Rtcp;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Sfu;
using Conclave.Media.Tests.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// A screen share is a third stream a participant publishes, on its own recvonly section
/// (mid 2), only while signalling lets it present (docs/content-sharing.md); subscribers
/// receive it on a section that goes inactive when the share stops and is reused by the
/// next, so sharing again and again does not grow anyone's SDP.
/// </summary>
public sealed class ScreenShareTests : IDisposable
{
    private const uint AliceVideo = 0x51111111, AliceRtx = 0x51112222, AliceAudio = 0x51113333;
    private const uint AliceScreen = 0x51114444, AliceScreenRtx = 0x51115555;
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly RecordingForwardTap _tap = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob, _carol;

    public ScreenShareTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0, _tap);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx), audioSsrc: AliceAudio);
        _bob = _sfu.Join("room");
        _carol = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    [Fact]
    public void Every_offer_has_a_recvonly_video_section_for_the_peers_own_screen_and_forwarded_streams_start_at_mid_3()
    {
        var offer = _bob.Signals.Offers[^1];
        Assert.Equal(PeerNegotiation.PublishScreenMid, offer.PublishScreenMid);
        var section = Section(offer.Sdp, PeerNegotiation.PublishScreenMid);
        Assert.StartsWith("m=video ", section);
        Assert.Contains("\r\na=recvonly\r\n", section);
        Assert.Equal(["3", "4"], offer.Tracks.Select(t => t.Mid).Order());
        Assert.Equal([MediaSource.Microphone, MediaSource.Camera], offer.Tracks.OrderBy(t => t.Mid).Select(t => t.Source));
    }

    [Fact]
    public void A_screen_announced_without_leave_to_present_is_not_published()
    {
        _alice.Screen = (AliceScreen, AliceScreenRtx);
        _sfu.Run(_alice.Handle.RestartIceAsync()); // any new offer: its answer announces the screen
        _sfu.AnswerEveryOffer();

        Assert.Null(_alice.Peer.ProducerOf(MediaSource.Screen));
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceScreen, 1));
        Assert.Null(_bob.ReceiveRtp());
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.UnknownSsrc]);
    }

    [Fact]
    public void A_shared_screen_reaches_every_subscriber_as_a_screen_track_and_the_tap_as_video()
    {
        Share(_alice);

        var track = Assert.Single(_bob.Signals.Offers[^1].Tracks, t => t.Source == MediaSource.Screen);
        Assert.Equal(_alice.Peer.Id, track.PeerId);
        Assert.Equal(MediaKind.Video, track.Kind);
        Assert.Contains($"a=msid:{_alice.Peer.Id} {_alice.Peer.Id}-screen", _bob.Signals.Offers[^1].Sdp);

        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceScreen, 7));
        foreach (var subscriber in new[] { _bob, _carol })
        {
            Assert.True(RtpPacket.TryParse(subscriber.ReceiveRtp(), out var rtp));
            Assert.Equal(subscriber.ReceivedSsrc(AliceScreen), rtp.Ssrc);
        }
        var (_, publisher, kind, _) = Assert.Single(_tap.Seen);
        Assert.Equal(_alice.Peer.Id, publisher);
        Assert.Equal(MediaKind.Video, kind);
    }

    [Fact]
    public void A_screen_packet_that_is_not_sframe_is_dropped_like_a_cameras()
    {
        Share(_alice);
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceScreen, 1, epoch: SFramePayload.Epoch + 5));

        Assert.Null(_bob.ReceiveRtp());
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.NotSFrame]);
    }

    [Fact]
    public void Stopping_the_share_makes_every_subscribers_screen_section_inactive_and_forwards_nothing_more()
    {
        Share(_alice);
        string mid = _bob.Signals.Offers[^1].Tracks.Single(t => t.Source == MediaSource.Screen).Mid;

        StopSharing(_alice);

        var offer = _bob.Signals.Offers[^1];
        Assert.DoesNotContain(offer.Tracks, t => t.Mid == mid);
        Assert.Contains("\r\na=inactive\r\n", Section(offer.Sdp, mid));
        Assert.Null(_alice.Peer.ProducerOf(MediaSource.Screen));
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceScreen, 8));
        Assert.Null(_bob.ReceiveRtp());
    }

    [Fact]
    public void Ten_share_and_stop_cycles_leave_every_participants_offer_the_size_it_had_after_the_first()
    {
        Share(_alice);
        StopSharing(_alice);
        // The o= line's session version counts offers (RFC 3264 §5): its digits may grow.
        int[] sizes = [.. new[] { _alice, _bob, _carol }.Select(b => SectionsLength(b.Signals.Offers[^1].Sdp))];

        for (int cycle = 0; cycle < 10; cycle++)
        {
            Share(_alice);
            StopSharing(_alice);
        }

        Assert.Equal(sizes, new[] { _alice, _bob, _carol }.Select(b => SectionsLength(b.Signals.Offers[^1].Sdp)));
        Share(_alice);
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceScreen, 99));
        Assert.True(RtpPacket.TryParse(_carol.ReceiveRtp(), out var rtp));
        Assert.Equal(_carol.ReceivedSsrc(AliceScreen), rtp.Ssrc);
    }

    [Fact]
    public void A_subscriber_starting_to_receive_a_screen_makes_the_sfu_ask_its_publisher_for_a_key_frame()
    {
        _sfu.Advance(300);
        _alice.Drain();

        Share(_alice);

        Assert.Equal([AliceScreen], _alice.PliTargets());
    }

    [Fact]
    public void Request_key_frames_asks_for_the_screen_as_well_as_the_camera()
    {
        Share(_alice);
        _sfu.Advance(300);
        _alice.Drain();

        _sfu.RequestKeyFrames("room");

        Assert.Equal([AliceVideo, AliceScreen], _alice.PliTargets().Order());
    }

    [Fact]
    public void A_subscribers_pli_for_the_screen_reaches_its_publisher()
    {
        Share(_alice);
        _sfu.Advance(300);
        _alice.Drain();

        var pli = new byte[12];
        Assert.True(RtcpWriter.TryWritePli(pli, 0xB0B, _bob.ReceivedSsrc(AliceScreen), out int length));
        _sfu.SendRtcp(_bob, pli.AsSpan(0, length));

        Assert.Equal([AliceScreen], _alice.PliTargets());
    }

    [Fact]
    public void A_screen_shared_before_someone_joins_is_offered_to_them()
    {
        Share(_alice);

        var dave = _sfu.Join("room");

        Assert.Contains(dave.Signals.Offers[^1].Tracks, t => t.PeerId == _alice.Peer.Id && t.Source == MediaSource.Screen);
    }

    private void Share(HarnessBrowser browser)
    {
        browser.Screen = (AliceScreen, AliceScreenRtx);
        _sfu.Run(browser.Handle.AllowScreenAsync(true));
        _sfu.AnswerEveryOffer();
        _bob.Drain();
        _carol.Drain();
    }

    private void StopSharing(HarnessBrowser browser)
    {
        browser.Screen = null;
        _sfu.Run(browser.Handle.AllowScreenAsync(false));
        _sfu.AnswerEveryOffer();
    }

    /// <summary>The m-section whose a=mid is <paramref name="mid"/>, from its m= line to the next.</summary>
    private static string Section(string sdp, string mid)
    {
        int at = sdp.IndexOf($"\r\na=mid:{mid}\r\n", StringComparison.Ordinal);
        int start = sdp.LastIndexOf("m=", at, StringComparison.Ordinal);
        int end = sdp.IndexOf("\r\nm=", at, StringComparison.Ordinal);
        return end < 0 ? sdp[start..] : sdp[start..(end + 2)];
    }

    /// <summary>
    /// The length of the media sections with every number counted as one character: each new
    /// stream brings SSRCs of its own, whose decimal digits vary (RFC 3550 §8.1: random).
    /// </summary>
    private static int SectionsLength(string sdp) =>
        System.Text.RegularExpressions.Regex.Replace(sdp[sdp.IndexOf("\r\nm=", StringComparison.Ordinal)..], "[0-9]+", "#").Length;
}
