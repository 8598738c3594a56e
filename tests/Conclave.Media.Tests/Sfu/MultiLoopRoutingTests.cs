using System.Net;
using Conclave.Media.Rtp;
using Conclave.Media.Sfu;
using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// Two media loops on one port, as production runs one per core: real UDP sockets sharing the
/// port (SO_REUSEPORT), so the kernel chooses which loop first sees each browser, and the
/// loops must place rooms, hand over what is not theirs and steer each proved address home.
/// </summary>
public sealed class MultiLoopRoutingTests : IDisposable
{
    private const uint LeftVideo = 0x1000_0001, RightVideo = 0x2000_0001;
    private readonly SfuHarness _sfu;

    public MultiLoopRoutingTests()
    {
        var first = UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0), sharedPort: true);
        var second = UdpDatagramSocket.Bind(first.LocalEndPoint, sharedPort: true);
        _sfu = new SfuHarness(() => UdpDatagramSocket.Bind(new IPEndPoint(IPAddress.Loopback, 0)), deliveryWaitMs: 0, planeSockets: [first, second]);
    }

    public void Dispose() => _sfu.Dispose();

    [Fact]
    public void Two_rooms_run_on_two_loops_and_each_subscriber_gets_its_rooms_media_with_nothing_handed_over_once_steered()
    {
        _sfu.SetRoomEpoch("left", SFramePayload.Epoch);
        _sfu.SetRoomEpoch("right", SFramePayload.Epoch);
        var leftPublisher = _sfu.Join("left", video: (LeftVideo, LeftVideo + 1));
        HarnessBrowser[] leftSubscribers = [_sfu.Join("left"), _sfu.Join("left")];
        var rightPublisher = _sfu.Join("right", video: (RightVideo, RightVideo + 1));
        HarnessBrowser[] rightSubscribers = [_sfu.Join("right"), _sfu.Join("right")];
        var loops = _sfu.Loops.Shards;

        Assert.Equal(["left"], RoomsOf(loops[0]));
        Assert.Equal(["right"], RoomsOf(loops[1]));
        long handedOver = loops.Sum(loop => loop.DatagramsHandedOff);
        for (ushort seq = 1; seq <= 40; seq++)
        {
            _sfu.SendRtp(leftPublisher, SfuRoutingTests.Rtp(LeftVideo, seq));
            _sfu.SendRtp(rightPublisher, SfuRoutingTests.Rtp(RightVideo, seq));
        }

        foreach (var (subscribers, publisherSsrc) in new[] { (leftSubscribers, LeftVideo), (rightSubscribers, RightVideo) })
        {
            foreach (var subscriber in subscribers)
            {
                var sequenceNumbers = ReceiveAll(subscriber).Select(packet =>
                {
                    Assert.True(RtpPacket.TryParse(packet, out var rtp));
                    Assert.Equal(subscriber.ReceivedSsrc(publisherSsrc), rtp.Ssrc);
                    return (int)rtp.SequenceNumber;
                });
                Assert.Equal(Enumerable.Range(1, 40), sequenceNumbers);
            }
        }
        Assert.Equal(handedOver, loops.Sum(loop => loop.DatagramsHandedOff));
    }

    [Fact]
    public void A_room_that_emptied_is_placed_again_on_the_loop_with_fewest_rooms()
    {
        var first = _sfu.Join("first");
        _sfu.Join("second");
        Assert.Equal(["second"], RoomsOf(_sfu.Loops.Shards[1]));

        _sfu.Leave(first);
        var third = _sfu.Join("third");

        Assert.Equal(["third"], RoomsOf(_sfu.Loops.Shards[0]));
        Assert.Same(_sfu.Loops.ShardFor("third"), _sfu.Loops.Shards[0]);
        Assert.False(third.Peer.IsClosed);
    }

    private List<string> RoomsOf(MediaShard loop) => _sfu.Run(loop.GetStatsAsync()).Rooms.Select(room => room.RoomId).ToList();

    private static List<byte[]> ReceiveAll(HarnessBrowser browser)
    {
        var packets = new List<byte[]>();
        while (browser.ReceiveRtp() is { } packet) packets.Add(packet);
        return packets;
    }
}
