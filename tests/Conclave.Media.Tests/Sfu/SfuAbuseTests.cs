using System.Buffers.Binary;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Media.Tests.Rtcp;
using Conclave.Media.Stun;
using Conclave.Media.Tests.Transport;
using Conclave.Media.Transport;
using System.Text;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// A participant controls only its own streams, within a budget: what it may make the
/// appliance send, and which SSRCs it may announce.
/// </summary>
public sealed class SfuAbuseTests : IDisposable
{
    private const uint AliceVideo = 0x21111111, AliceRtx = 0x21112222;
    private readonly InMemoryDatagramNetwork _network = new();
    private readonly SfuHarness _sfu;
    private readonly HarnessBrowser _alice, _bob;

    public SfuAbuseTests()
    {
        _sfu = new SfuHarness(_network.Open, deliveryWaitMs: 0);
        _sfu.SetRoomEpoch("room", SFramePayload.Epoch);
        _alice = _sfu.Join("room", video: (AliceVideo, AliceRtx));
        _bob = _sfu.Join("room");
    }

    public void Dispose() => _sfu.Dispose();

    [Fact]
    public void An_answer_announcing_an_ssrc_already_in_the_room_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _sfu.Join("room", video: (AliceVideo, 0x31113333)));

        Assert.Contains($"SSRC {AliceVideo} is already used in this meeting", refused.Message);
    }

    [Fact]
    public void An_answer_announcing_another_participants_rtx_ssrc_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _sfu.Join("room", video: (0x31111111, AliceRtx)));

        Assert.Contains($"SSRC {AliceRtx} is already used in this meeting", refused.Message);
    }

    [Fact]
    public void An_answer_using_one_ssrc_for_two_streams_is_refused()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => _sfu.Join("room", video: (0x41111111, 0x41111111)));

        Assert.Contains("appears twice in the answer", refused.Message);
    }

    [Fact]
    public void A_packet_nacked_twice_within_a_round_trip_is_retransmitted_once()
    {
        PublishAndDrain(first: 100, count: 10);

        Nack(_bob, [105]);
        Nack(_bob, [105]);

        Assert.Equal([105], RetransmittedSequenceNumbers(_bob));
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.RetransmissionTooSoon]);
    }

    [Fact]
    public void A_packet_nacked_again_after_a_round_trip_is_retransmitted_again()
    {
        PublishAndDrain(first: 100, count: 10);

        Nack(_bob, [105]);
        _sfu.Advance(Media.Sfu.RetransmissionGuard.MinResendIntervalMs);
        Nack(_bob, [105]);

        Assert.Equal([105, 105], RetransmittedSequenceNumbers(_bob));
    }

    [Fact]
    public void Retransmissions_stay_within_the_subscribers_budget_and_the_rest_is_counted()
    {
        const int Packets = 500;
        PublishAndDrain(first: 1000, count: Packets);
        var all = Enumerable.Range(1000, Packets).Select(s => (ushort)s).ToArray();

        Nack(_bob, all[..250]);
        int retransmitted = RetransmittedSequenceNumbers(_bob).Count;
        Nack(_bob, all[250..]);
        retransmitted += RetransmittedSequenceNumbers(_bob).Count;
        // Each RTX packet here is 12 + 2 + 100 bytes; the stream's bitrate is not measured
        // yet (no second has passed), so the floor of the budget applies.
        int affordable = (int)(Media.Sfu.RetransmissionGuard.MinBudgetBytesPerSecond / 114);
        Assert.InRange(retransmitted, affordable - 1, affordable);
        Assert.Equal(Packets - retransmitted, _sfu.Plane.Drops[DropReason.RetransmissionOverBudget]);
        Assert.Empty(_bob.Signals.Closed);
    }

    [Fact]
    public void One_nack_asking_for_more_than_256_packets_is_cut_short_and_counted()
    {
        PublishAndDrain(first: 2000, count: 300);

        Nack(_bob, Enumerable.Range(2000, 300).Select(s => (ushort)s).ToArray());

        Assert.Equal(256, RetransmittedSequenceNumbers(_bob).Count);
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.NackTruncated]);
    }

    [Fact]
    public void A_subscriber_that_keeps_asking_far_beyond_its_budget_is_closed()
    {
        PublishAndDrain(first: 3000, count: 500);
        var all = Enumerable.Range(3000, 500).Select(s => (ushort)s).ToArray();

        for (int round = 0; round < 20 && _bob.Signals.Closed.Count == 0; round++)
        {
            _sfu.Advance(Media.Sfu.RetransmissionGuard.MinResendIntervalMs);
            Nack(_bob, all[..250]);
            Nack(_bob, all[250..]);
        }

        Assert.Equal(["asked for retransmissions far beyond its budget"], _bob.Signals.Closed);
        Assert.True(_bob.Peer.IsClosed);
    }

    [Fact]
    public void A_nominated_address_gets_no_media_until_it_answers_the_appliances_own_check_RFC_7675()
    {
        var elsewhere = _network.Open();
        NominateFrom(elsewhere, _bob);

        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 7000));

        var toElsewhere = ReceiveAll(elsewhere);
        Assert.Single(toElsewhere, d => DatagramClassifier.Classify(d) == DatagramKind.Stun && IsBindingRequest(d));
        Assert.DoesNotContain(toElsewhere, d => DatagramClassifier.Classify(d) == DatagramKind.Rtp);
        Assert.NotNull(_bob.ReceiveRtp()); // media stays where consent was given
    }

    [Fact]
    public void A_nominated_address_that_answers_the_check_receives_the_media_from_then_on()
    {
        var elsewhere = _network.Open();
        NominateFrom(elsewhere, _bob);
        var check = Assert.Single(ReceiveAll(elsewhere), IsBindingRequest);

        _sfu.Deliver(SuccessResponse(check, HarnessBrowser.IcePassword, elsewhere), elsewhere);
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 7100));

        Assert.Contains(ReceiveAll(elsewhere), d => DatagramClassifier.Classify(d) == DatagramKind.Rtp);
        Assert.Null(_bob.ReceiveRtp());
    }

    [Fact]
    public void A_response_signed_with_the_wrong_password_is_no_consent()
    {
        var elsewhere = _network.Open();
        NominateFrom(elsewhere, _bob);
        var check = Assert.Single(ReceiveAll(elsewhere), IsBindingRequest);

        _sfu.Deliver(SuccessResponse(check, "not the browser's password", elsewhere), elsewhere);
        _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, 7200));

        Assert.DoesNotContain(ReceiveAll(elsewhere), d => DatagramClassifier.Classify(d) == DatagramKind.Rtp);
        Assert.NotNull(_bob.ReceiveRtp());
    }

    [Fact]
    public void A_silent_address_is_asked_ten_times_then_given_up_and_counted()
    {
        var elsewhere = _network.Open();
        NominateFrom(elsewhere, _bob);

        for (int i = 0; i < 20; i++) _sfu.Advance(Media.Sfu.ConsentCheck.RetransmitIntervalMs);

        Assert.Equal(Media.Sfu.ConsentCheck.MaxAttempts, ReceiveAll(elsewhere).Count(IsBindingRequest));
        Assert.Equal(1, _sfu.Plane.Drops[DropReason.ConsentUnanswered]);
    }

    /// <summary>A Binding request with the browser's valid credentials, sent from another address (a spoofed source).</summary>
    private void NominateFrom(IDatagramSocket socket, HarnessBrowser browser) =>
        _sfu.Deliver(Conclave.Testing.IceConnectivityCheck.Request($"{browser.Peer.Ice.Local.Ufrag}:{HarnessBrowser.IceUfrag}", browser.Peer.Ice.Local.Password, useCandidate: true), socket);

    private static bool IsBindingRequest(byte[] datagram) =>
        StunMessage.TryParse(datagram, out var message) && message.MessageType == StunMessageType.BindingRequest;

    private static byte[] SuccessResponse(byte[] request, string password, IDatagramSocket from)
    {
        Assert.True(StunMessage.TryParse(request, out var check));
        var response = new byte[512];
        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, check.TransactionId);
        writer.WriteXorMappedAddress(from.LocalEndPoint.Serialize());
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(password));
        writer.WriteFingerprint();
        return response.AsSpan(0, writer.Length).ToArray();
    }

    private static List<byte[]> ReceiveAll(IDatagramSocket socket)
    {
        var received = new List<byte[]>();
        var buffer = new byte[2048];
        var from = new System.Net.SocketAddress(socket.LocalEndPoint.AddressFamily);
        while (socket.TryReceiveFrom(buffer, from, out int length)) received.Add(buffer.AsSpan(0, length).ToArray());
        return received;
    }

    private void PublishAndDrain(int first, int count)
    {
        for (int i = 0; i < count; i++) _sfu.SendRtp(_alice, SfuRoutingTests.Rtp(AliceVideo, (ushort)(first + i)));
        while (_bob.ReceiveRtp() is not null) { }
    }

    private void Nack(HarnessBrowser from, ushort[] lost)
    {
        var nack = new byte[16 + 4 * lost.Length];
        Assert.True(RtcpTestWriter.TryWriteNack(nack, 0xB0B, from.ReceivedSsrc(AliceVideo), lost, out int length));
        _sfu.SendRtcp(from, nack.AsSpan(0, length));
    }

    private static List<ushort> RetransmittedSequenceNumbers(HarnessBrowser browser)
    {
        var sequenceNumbers = new List<ushort>();
        while (browser.ReceiveRtp() is { } received)
        {
            Assert.True(RtpPacket.TryParse(received, out var rtx));
            Assert.Equal(SdpCodecs.RtxPayloadType, rtx.PayloadType);
            sequenceNumbers.Add(BinaryPrimitives.ReadUInt16BigEndian(rtx.Payload));
        }
        return sequenceNumbers;
    }
}
