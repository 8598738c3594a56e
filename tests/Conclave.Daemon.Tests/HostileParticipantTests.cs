using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using Conclave.Daemon.Tests.Participants;
using Conclave.Media.Diagnostics;
using Conclave.Media.Rtcp;
using Conclave.Media.Sdp;
using Conclave.Media.Srtp;
using Conclave.Media.Stun;
using Conclave.Media.Transport;
using Xunit.Abstractions;

namespace Conclave.Daemon.Tests;

/// <summary>
/// Participants with real signalling, ICE, DTLS and SRTP that misbehave as no browser
/// would, in a meeting with a well-behaved publisher and a subscriber (the victim). Each
/// test asserts what a safe appliance does and writes what was measured to the output.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class HostileParticipantTests(InProcessDaemon fixture, ITestOutputHelper output)
{
    private const uint PublisherAudioSsrc = 0x5A5A_0001;
    private const uint PublisherVideoSsrc = 0x5A5A_0002;
    private const uint PublisherRtxSsrc = 0x5A5A_0003;

    [Fact]
    public async Task A_scripted_publisher_reaches_a_scripted_subscriber_through_conclaved_with_under_one_percent_loss()
    {
        await using var meeting = await StartMeetingAsync("scripted-media");
        long fromMs = Environment.TickCount64;
        await Task.Delay(3_000);
        long toMs = Environment.TickCount64;

        var video = await meeting.VictimQualityAsync(PublisherVideoSsrc, MediaKind.Video, fromMs, toMs);
        var audio = await meeting.VictimQualityAsync(PublisherAudioSsrc, MediaKind.Audio, fromMs, toMs);
        output.WriteLine($"SRTP profile {meeting.Victim.Profile}; video {video}; audio {audio}");
        Assert.Equal(SrtpProfile.AeadAes128Gcm, meeting.Victim.Profile);
        Assert.True(video.Sent >= 60 && audio.Sent >= 100, $"the publisher sent too little to judge: video {video}, audio {audio}");
        Assert.True(video.LossFraction < 0.01, $"video: {video}");
        Assert.True(audio.LossFraction < 0.01, $"audio: {audio}");
        Assert.Equal(0, meeting.Victim.Received.SrtpIndexReuses);
    }

    [Fact]
    public async Task A_scripted_subscriber_that_restarts_ice_keeps_receiving()
    {
        await using var meeting = await StartMeetingAsync("scripted-restart");
        var victim = meeting.Victim;
        string ufragBefore = victim.LatestOffer.Parsed.IceUfrag;
        await victim.RestartIceAsync();
        int before = victim.Received.Count(victim.ForwardedSsrc(meeting.Publisher, MediaKind.Video));
        await victim.WaitForAsync(() => victim.Received.Count(victim.ForwardedSsrc(meeting.Publisher, MediaKind.Video)) >= before + 15, "video after the ICE restart");
        Assert.NotEqual(ufragBefore, victim.LatestOffer.Parsed.IceUfrag);
    }

    /// <summary>
    /// RFC 4585 §6.2.1: one 1,392-byte SRTCP NACK of 340 entries with every BLP bit set
    /// asks for 5,780 packets. Answering each from the cache turns a subscriber's
    /// feedback into a flood toward itself and starves the media loop for everyone.
    /// </summary>
    [Fact]
    public async Task A_nack_flood_is_not_amplified_and_does_not_starve_another_subscriber()
    {
        const int Nacks = 100, EntriesPerNack = 340;
        await using var meeting = await StartMeetingAsync("hostile-nack");
        await using var attacker = await meeting.JoinAsync("Attacker", new ParticipantOptions());
        await attacker.WaitForAsync(() => attacker.Received.Count(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video)) >= 60, "the attacker receiving 2 s of video");

        var seen = attacker.Received.Arrivals(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video));
        ushort first = seen[0].SequenceNumber;
        int span = (ushort)(seen[^1].SequenceNumber - first);
        byte[] nack = NackOfFullMasks(senderSsrc: 0x0BAD_0001, attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video), first, span, EntriesPerNack);

        long rtxBytesBefore = attacker.Received.RtxBytes, rtxPacketsBefore = attacker.Received.RtxPackets;
        var dropsBefore = (await fixture.Daemon.MediaPlane.GetStatsAsync()).Drops;
        long fromMs = Environment.TickCount64;
        long nackBytes = 0;
        for (int i = 0; i < Nacks; i++)
        {
            nackBytes += attacker.SendRtcp(nack);
            await Task.Delay(10);
        }
        bool settled = await WhileGrowingAsync(() => attacker.Received.RtxBytes, quietMs: 500, atMostMs: 10_000);
        long toMs = Environment.TickCount64;
        var dropsAfter = (await fixture.Daemon.MediaPlane.GetStatsAsync()).Drops;
        long rtxBytes = attacker.Received.RtxBytes - rtxBytesBefore;
        double amplification = (double)rtxBytes / nackBytes;
        var victim = await meeting.VictimQualityAsync(PublisherVideoSsrc, MediaKind.Video, fromMs, toMs);
        output.WriteLine($"{Nacks} NACKs of {EntriesPerNack} entries ({Nacks * EntriesPerNack * 17} sequence numbers, each among the {span + 1} " +
            $"the attacker saw): {nackBytes} bytes sent; {attacker.Received.RtxPackets - rtxPacketsBefore} RTX packets, {rtxBytes} bytes received back: " +
            $"amplification {amplification:F1}; window {toMs - fromMs} ms{(settled ? "" : ", retransmissions still coming when it closed")}; victim video {victim}; " +
            $"appliance drops meanwhile: {DropsBetween(dropsBefore, dropsAfter)}");
        Assert.True(amplification <= 2, $"amplification {amplification:F1} (RTX {rtxBytes} bytes for NACKs of {nackBytes} bytes)");
        Assert.True(victim.LossFraction < 0.01, $"victim video: {victim}");
        Assert.True(victim.LargestGapMs <= 100, $"victim video: {victim}");
    }

    /// <summary>
    /// An answer that announces the publisher's SSRCs as the attacker's own: the victim's
    /// SRTP context then seals two streams under one SSRC, so one packet index carries two
    /// plaintexts (RFC 3711 §9.1 keystream reuse; with GCM the forgery key too, RFC 7714
    /// §14.1), and an attacker running ahead pushes the real stream out of the victim's
    /// replay window.
    /// </summary>
    [Fact]
    public async Task A_participant_cannot_claim_another_participants_ssrc()
    {
        await using var meeting = await StartMeetingAsync("hostile-ssrc");
        int victimRevision = meeting.Victim.AnsweredRevision;
        ScriptedParticipant? attacker = null;
        SignallingError? refusal = null;
        try
        {
            attacker = await meeting.JoinAsync("Attacker", new ParticipantOptions { VideoSsrc = PublisherVideoSsrc, RtxSsrc = PublisherRtxSsrc });
        }
        catch (SignallingRefusedException refused)
        {
            refusal = refused.Error;
        }
        await using var _ = attacker;

        StreamQuality runAhead = default;
        int attackerPacketsAtVictim = 0;
        if (attacker is not null)
        {
            // Today the victim is offered the attacker's "video"; an appliance that ignores the claim offers nothing.
            await UntilAsync(() => meeting.Victim.AnsweredRevision > victimRevision, atMostMs: 2_000);
            await attacker.WaitForAsync(() => attacker.Received.Count(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video)) >= 15, "the attacker receiving the publisher");
            await Task.Delay(300); // the victim's answer applied on the media loop

            // Mirror: each of the publisher's sequence numbers again, with the attacker's payload.
            var payload = new byte[SyntheticPublisher.VideoPayloadBytes];
            SyntheticPayload.WriteVideo(payload, attacker.OriginTag, keyFrame: false);
            int mirrored = attacker.Received.Count(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video));
            ushort latest = 0;
            long mirrorUntilMs = Environment.TickCount64 + 2_000;
            while (Environment.TickCount64 < mirrorUntilMs)
            {
                var arrivals = attacker.Received.Arrivals(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video));
                for (; mirrored < arrivals.Count; mirrored++)
                {
                    latest = arrivals[mirrored].SequenceNumber;
                    attacker.SendRtp(SdpCodecs.Vp8PayloadType, PublisherVideoSsrc, latest, 0, payload, marker: true);
                }
                await Task.Delay(5);
            }

            // Run ahead: 1,000 sequence numbers past the publisher, at its own rate.
            long fromMs = Environment.TickCount64;
            ushort sequence = (ushort)(latest + 1_000);
            for (int i = 0; i < 60; i++)
            {
                attacker.SendRtp(SdpCodecs.Vp8PayloadType, PublisherVideoSsrc, sequence++, (uint)(i * 3000), payload, marker: true);
                await Task.Delay(1000 / SyntheticPublisher.VideoFramesPerSecond);
            }
            long toMs = Environment.TickCount64;
            runAhead = await meeting.VictimQualityAsync(PublisherVideoSsrc, MediaKind.Video, fromMs, toMs);
            foreach (var arrival in meeting.Victim.Received.Arrivals(meeting.Victim.ForwardedSsrc(meeting.Publisher, MediaKind.Video)))
            {
                if (arrival.OriginTag == attacker.OriginTag) attackerPacketsAtVictim++;
            }
        }

        refusal ??= attacker?.Error;
        long reuses = meeting.Victim.Received.SrtpIndexReuses;
        output.WriteLine($"refused: {refusal?.Code ?? "no"}; while the attacker ran ahead the victim got the publisher's video {runAhead}; " +
            $"the attacker's packets the victim accepted on that SSRC: {attackerPacketsAtVictim}; SRTP indexes the victim saw sealed twice: {reuses}; " +
            $"refused by the victim's SRTP: {meeting.Victim.Received.Refused(SrtpStatus.Replayed)} replayed, {meeting.Victim.Received.Refused(SrtpStatus.TooOld)} too old");
        Assert.True(refusal?.Code == "bad-sdp" || runAhead.LossFraction < 0.01,
            $"the answer claiming the publisher's SSRC was accepted, and the victim then got the publisher's video {runAhead}");
        Assert.Equal(0, reuses);
    }

    /// <summary>
    /// RFC 7675 §1: sending media to an address needs that address's consent, which only
    /// a Binding response from it proves. One signed request with USE-CANDIDATE from
    /// another address must not be enough to point a meeting's media at it.
    /// </summary>
    [Fact]
    public async Task A_binding_request_from_another_address_does_not_redirect_media_there_without_its_consent()
    {
        await using var meeting = await StartMeetingAsync("hostile-redirect");
        await using var attacker = await meeting.JoinAsync("Attacker", new ParticipantOptions());
        await attacker.WaitForAsync(() => attacker.Received.Count(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video)) >= 15, "the attacker receiving the publisher");

        using var target = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        target.Bind(new IPEndPoint(IPAddress.Parse("127.0.0.2"), 0));
        target.ReceiveTimeout = 100;
        int atAttackerBefore = attacker.Received.Count(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video));
        attacker.SendBindingFrom(target, useCandidate: true);
        var atTarget = Listen(target, TimeSpan.FromSeconds(2));
        int atAttacker = attacker.Received.Count(attacker.ForwardedSsrc(meeting.Publisher, MediaKind.Video)) - atAttackerBefore;

        output.WriteLine($"in the 2 s after one Binding request with USE-CANDIDATE from {target.LocalEndPoint}: it received {atTarget.MediaDatagrams} SRTP/SRTCP datagrams " +
            $"({atTarget.MediaBytes} bytes), {atTarget.StunResponses} STUN responses and {atTarget.BindingRequests} Binding requests (left unanswered); " +
            $"the attacker's own socket received {atAttacker} video packets");
        Assert.Equal(0, atTarget.MediaDatagrams);
    }

    /// <summary>
    /// Each participant who comes and goes leaves inactive m-sections in everyone's offer
    /// (a mid names one track for the session); a stayer's offer must still be bounded by
    /// who is present, or churn alone outgrows signalling's 64 KiB frames.
    /// </summary>
    [Fact]
    public async Task Seventy_participants_joining_and_leaving_do_not_grow_a_stayers_offer_without_bound()
    {
        const int Cycles = 70;
        await using var meeting = await StartMeetingAsync("hostile-churn");
        for (int i = 0; i < Cycles; i++)
        {
            await using var churner = await meeting.JoinAsync($"Churner {i}", new ParticipantOptions
            {
                AudioSsrc = 0x0C00_0000u + 2 * (uint)i,
                VideoSsrc = 0x0C00_0001u + 2 * (uint)i,
                ConnectMedia = false,
            });
            await churner.LeaveAsync();
        }
        var victim = meeting.Victim;
        await victim.WaitForAsync(() => victim.LatestOffer.Revision == victim.AnsweredRevision && Environment.TickCount64 - victim.LatestOffer.ReceivedMs > 500,
            "the victim's offers settling", TimeSpan.FromSeconds(15));

        var offer = victim.LatestOffer;
        int sections = offer.Parsed.Sections.Count;
        const int Present = 2;
        const int Slack = 4;
        int bound = 3 + 2 * (Present - 1) + Slack; // its own publish mids (microphone, camera, screen), audio and video of each other participant
        output.WriteLine($"after {Cycles} join/leave cycles the victim's offer (revision {offer.Revision}) is {offer.SdpBytes} bytes with {sections} m-sections " +
            $"({Present} people present); victim still in the meeting: {victim.Error is null && !victim.SignallingClosed}");
        Assert.True(offer.SdpBytes < 16 * 1024, $"the victim's offer is {offer.SdpBytes} bytes");
        Assert.True(sections <= bound, $"the victim's offer has {sections} m-sections for {Present} people present (bound {bound})");
    }

    /// <summary>A publisher on the fixed SSRCs, publishing, and a subscriber receiving both its streams.</summary>
    private async Task<Meeting> StartMeetingAsync(string room)
    {
        var meeting = new Meeting(fixture, room);
        try
        {
            meeting.Publisher = await meeting.JoinAsync("Publisher", new ParticipantOptions
            {
                AudioSsrc = PublisherAudioSsrc,
                VideoSsrc = PublisherVideoSsrc,
                RtxSsrc = PublisherRtxSsrc,
            });
            meeting.Publisher.StartPublishing();
            meeting.Victim = await meeting.JoinAsync("Victim", new ParticipantOptions());
            var victim = meeting.Victim;
            await victim.WaitForAsync(() => victim.Received.Count(victim.ForwardedSsrc(meeting.Publisher, MediaKind.Video)) >= 15 && victim.Received.Count(victim.ForwardedSsrc(meeting.Publisher, MediaKind.Audio)) >= 25,
                "the victim receiving the publisher's audio and video");
            return meeting;
        }
        catch
        {
            await meeting.DisposeAsync();
            throw;
        }
    }

    /// <summary>
    /// A reduced-size generic NACK (RFC 4585 §6.2.1, RFC 5506): <paramref name="entries"/>
    /// FCIs, each a PID inside the <paramref name="span"/> packets after <paramref name="first"/>
    /// and a BLP of 0xFFFF, so every one of the 17 packets it names is in the SFU's cache.
    /// </summary>
    private static byte[] NackOfFullMasks(uint senderSsrc, uint mediaSsrc, ushort first, int span, int entries)
    {
        var nack = new byte[12 + 4 * entries];
        nack[0] = 0x80 | RtcpFeedbackFormat.Nack;
        nack[1] = RtcpPacketType.TransportFeedback;
        BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(2), (ushort)(nack.Length / 4 - 1));
        BinaryPrimitives.WriteUInt32BigEndian(nack.AsSpan(4), senderSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(nack.AsSpan(8), mediaSsrc);
        int starts = Math.Max(1, span - 16);
        for (int i = 0; i < entries; i++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(12 + 4 * i), (ushort)(first + i * 17 % starts));
            BinaryPrimitives.WriteUInt16BigEndian(nack.AsSpan(14 + 4 * i), 0xFFFF);
        }
        return nack;
    }

    private static async Task UntilAsync(Func<bool> condition, long atMostMs)
    {
        long untilMs = Environment.TickCount64 + atMostMs;
        while (!condition() && Environment.TickCount64 < untilMs) await Task.Delay(10);
    }

    /// <summary>Waits until <paramref name="counter"/> has not moved for <paramref name="quietMs"/>; false if it still moved at <paramref name="atMostMs"/>.</summary>
    private static async Task<bool> WhileGrowingAsync(Func<long> counter, long quietMs, long atMostMs)
    {
        long startMs = Environment.TickCount64, lastChangeMs = startMs, last = counter();
        while (Environment.TickCount64 - lastChangeMs < quietMs && Environment.TickCount64 - startMs < atMostMs)
        {
            await Task.Delay(50);
            long now = counter();
            if (now != last)
            {
                last = now;
                lastChangeMs = Environment.TickCount64;
            }
        }
        return Environment.TickCount64 - lastChangeMs >= quietMs;
    }

    private static string DropsBetween(IReadOnlyDictionary<DropReason, long> before, IReadOnlyDictionary<DropReason, long> after)
    {
        var counted = new List<string>();
        foreach (var (reason, count) in after)
        {
            long added = count - before.GetValueOrDefault(reason);
            if (added > 0) counted.Add($"{reason} {added}");
        }
        return counted.Count == 0 ? "none" : string.Join(", ", counted);
    }

    private readonly record struct Heard(int MediaDatagrams, long MediaBytes, int StunResponses, int BindingRequests);

    /// <summary>What arrives at a socket that never answers anything.</summary>
    private static Heard Listen(Socket socket, TimeSpan duration)
    {
        var buffer = new byte[65536];
        var heard = new Heard();
        long untilMs = Environment.TickCount64 + (long)duration.TotalMilliseconds;
        while (Environment.TickCount64 < untilMs)
        {
            int received;
            try
            {
                received = socket.Receive(buffer);
            }
            catch (SocketException)
            {
                continue; // the receive timeout
            }
            var datagram = buffer.AsSpan(0, received);
            switch (DatagramClassifier.Classify(datagram))
            {
                case DatagramKind.Rtp or DatagramKind.Rtcp:
                    heard = heard with { MediaDatagrams = heard.MediaDatagrams + 1, MediaBytes = heard.MediaBytes + received };
                    break;
                case DatagramKind.Stun when StunMessage.TryParse(datagram, out var message):
                    heard = message.MessageType == StunMessageType.BindingRequest
                        ? heard with { BindingRequests = heard.BindingRequests + 1 }
                        : heard with { StunResponses = heard.StunResponses + 1 };
                    break;
            }
        }
        return heard;
    }

    /// <summary>One meeting of the test: its participants are disposed with it.</summary>
    private sealed class Meeting(InProcessDaemon fixture, string room) : IAsyncDisposable
    {
        public ScriptedParticipant Publisher { get; set; } = null!;
        public ScriptedParticipant Victim { get; set; } = null!;

        /// <summary>A new roster member of this meeting, joined as a scripted participant.</summary>
        public async Task<ScriptedParticipant> JoinAsync(string name, ParticipantOptions options)
        {
            var (meetingId, cookie) = fixture.Meetings.Member(room, name);
            // Scripted participants do not run MLS: the test stands in for the delivery service, at epoch 0.
            fixture.Daemon.MediaPlane.SetRoomEpoch(meetingId, 0);
            return await ScriptedParticipant.JoinAsync(fixture.Daemon.HttpsUri, meetingId, cookie, options with { DisplayName = name });
        }

        /// <summary>The publisher's stream <paramref name="ssrc"/> as the victim received it, once the window's playout deadline passed.</summary>
        /// <summary>How the publisher's stream under <paramref name="ssrc"/> reached the victim (under the victim's own SSRC for it).</summary>
        public async Task<StreamQuality> VictimQualityAsync(uint ssrc, MediaKind kind, long fromMs, long toMs)
        {
            long waitMs = toMs + StreamQuality.PlayoutDeadlineMs - Environment.TickCount64;
            if (waitMs > 0) await Task.Delay(TimeSpan.FromMilliseconds(waitMs));
            return StreamQuality.Measure(Publisher.Sent(), Victim.Received.Arrivals(Victim.ForwardedSsrc(Publisher, kind)), ssrc, Publisher.OriginTag, fromMs, toMs);
        }

        public async ValueTask DisposeAsync()
        {
            // Null until it joined: a failed start disposes what there is.
            if (Victim is not null) await Victim.DisposeAsync();
            if (Publisher is not null) await Publisher.DisposeAsync();
        }
    }
}
