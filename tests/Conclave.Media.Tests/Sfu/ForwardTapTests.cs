using System.Buffers.Binary;
using Conclave.Media.Sdp;
using Conclave.Media.Tests.Transport;

namespace Conclave.Media.Tests.Sfu;

/// <summary>The forward tap sees what the SFU relays, once per packet, as subscribers get it before SRTP.</summary>
public sealed class ForwardTapTests : IDisposable
{
    private const uint AliceVideo = 0x71111111, AliceRtx = 0x71112222, AliceAudio = 0x71113333;
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly RecordingForwardTap _tap = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob, _carol;

    public ForwardTapTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0, _tap);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx), audioSsrc: AliceAudio);
        _bob = _sfu.Join("room");
        _carol = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    [Fact]
    public void The_tap_sees_each_forwarded_packet_once_as_subscribers_receive_it()
    {
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 1, transportSequence: 1));
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceAudio, 1, payloadType: SdpCodecs.OpusPayloadType));
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 2));

        var atBob = ReceiveAll(_bob);
        Assert.Equal(3, atBob.Count);
        Assert.Equal(3, ReceiveAll(_carol).Count);
        Assert.Equal(3, _tap.Seen.Count);
        for (int i = 0; i < 3; i++)
        {
            var (roomId, publisherPeerId, kind, packet) = _tap.Seen[i];
            Assert.Equal("room", roomId);
            Assert.Equal(_alice.Peer.Id, publisherPeerId);
            Assert.Equal(i == 1 ? MediaKind.Audio : MediaKind.Video, kind);
            // As Bob gets it but for the SSRC (his consumer's own): extensions removed, not yet protected.
            uint publisherSsrc = System.Buffers.Binary.BinaryPrimitives.ReadUInt32BigEndian(packet.AsSpan(8));
            var asForBob = packet.ToArray();
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(asForBob.AsSpan(8), _bob.ReceivedSsrc(publisherSsrc));
            Assert.Equal(atBob[i], asForBob);
        }
    }

    [Fact]
    public void The_tap_sees_nothing_the_sfu_drops()
    {
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 1, epoch: SFramePayload.Epoch + 1)); // not this room's epoch
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(0x0BADBEEF, 1));                                  // nobody's SSRC

        Assert.Empty(_tap.Seen);
        Assert.Empty(ReceiveAll(_bob));
    }

    [Fact]
    public void The_tap_sees_a_packet_forwarded_to_no_subscriber()
    {
        _sfu.Leave(_bob);
        _sfu.Leave(_carol);

        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 1));

        Assert.Single(_tap.Seen);
    }

    [Fact]
    public void The_tap_sees_each_sender_report_of_a_published_stream_with_its_timestamps()
    {
        _sfu.SendRtcp(_alice, SenderReport(AliceAudio, 0xE000_0000_8000_0001, 48_000));
        _sfu.SendRtcp(_alice, SenderReport(0x0BADBEEF, 0xE000_0000_8000_0002, 90_000)); // nobody's stream
        _sfu.SendRtcp(_alice, SenderReport(AliceVideo, 0xE000_0000_8000_0003, 90_000));

        Assert.Equal([("room", _alice.Peer.Id, AliceAudio, 0xE000_0000_8000_0001UL, 48_000u), ("room", _alice.Peer.Id, AliceVideo, 0xE000_0000_8000_0003UL, 90_000u)],
            _tap.SenderReports);
    }

    /// <summary>An RFC 3550 §6.4.1 sender report without report blocks.</summary>
    private static byte[] SenderReport(uint ssrc, ulong ntp, uint rtpTimestamp)
    {
        var sr = new byte[28];
        sr[0] = 0x80; sr[1] = 200;
        BinaryPrimitives.WriteUInt16BigEndian(sr.AsSpan(2), 6);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(4), ssrc);
        BinaryPrimitives.WriteUInt64BigEndian(sr.AsSpan(8), ntp);
        BinaryPrimitives.WriteUInt32BigEndian(sr.AsSpan(16), rtpTimestamp);
        return sr;
    }

    private static List<byte[]> ReceiveAll(HarnessBrowser browser)
    {
        var packets = new List<byte[]>();
        while (browser.ReceiveRtp() is { } packet) packets.Add(packet);
        return packets;
    }
}
