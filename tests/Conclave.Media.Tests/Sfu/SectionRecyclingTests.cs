using Conclave.Media.Rtp;
using Conclave.Media.Tests.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// A stayer's SDP grows with the people present, not with everyone who ever came: a
/// departed participant's sections carry a newcomer's streams once the stayer answered
/// them inactive.
/// </summary>
public sealed class SectionRecyclingTests : IDisposable
{
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _stayer;

    public SectionRecyclingTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _stayer = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    [Fact]
    public void Seventy_joins_and_leaves_leave_the_stayers_offer_with_the_sections_of_the_people_present()
    {
        for (uint cycle = 0; cycle < 70; cycle++)
        {
            var visitor = _sfu.Join("room", video: (0x7000_0000 + 2 * cycle, 0x7000_0001 + 2 * cycle), audioSsrc: 0x7100_0000 + cycle);
            _sfu.Leave(visitor);
            _sfu.AnswerEveryOffer();
        }
        var guest = _sfu.Join("room", video: (0x7200_0000, 0x7200_0001), audioSsrc: 0x7200_0002);

        var offer = _stayer.Signals.Offers[^1];
        // Three sections the stayer publishes on (microphone, camera, screen), two for the one other person present.
        Assert.Equal(5, CountSections(offer.Sdp));
        Assert.Equal(2, offer.Tracks.Count);
        Assert.All(offer.Tracks, track => Assert.Equal(guest.Peer.Id, track.PeerId));
    }

    [Fact]
    public void A_newcomer_on_a_recycled_section_reaches_the_stayer()
    {
        var first = _sfu.Join("room", video: (0x7300_0000, 0x7300_0001));
        string firstMid = Assert.Single(_stayer.Signals.Offers[^1].Tracks).Mid;
        _sfu.Leave(first);
        _sfu.AnswerEveryOffer();

        var second = _sfu.Join("room", video: (0x7400_0000, 0x7400_0001));
        var track = Assert.Single(_stayer.Signals.Offers[^1].Tracks);
        Assert.Equal(firstMid, track.Mid);
        Assert.Equal(second.Peer.Id, track.PeerId);

        _sfu.SendRtp(second, SfuRoutingTests.Rtp(0x7400_0000, 42));
        var received = _stayer.ReceiveRtp();
        Assert.NotNull(received);
        Assert.True(RtpPacket.TryParse(received, out var rtp));
        Assert.Equal(_stayer.ReceivedSsrc(0x7400_0000), rtp.Ssrc);
    }

    private static int CountSections(string sdp) => sdp.Split("\r\n").Count(line => line.StartsWith("m=", StringComparison.Ordinal));
}
