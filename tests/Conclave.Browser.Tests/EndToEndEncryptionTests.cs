using System.Buffers.Binary;
using Conclave.Crypto.SFrame;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Web.Signalling;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>
/// End-to-end encryption with real Chromium (docs/e2ee.md): what the appliance relays is
/// SFrame ciphertext it cannot open, chat leaves no trace on it, a removed member can
/// decrypt nothing of the next epoch, and a browser that cannot encrypt is refused.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class EndToEndEncryptionTests(DaemonFixture fixture)
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(45);

    [Fact]
    public async Task A_browser_without_encoded_transforms_is_refused_with_a_message_and_never_joins()
    {
        var (meetingId, cookie) = fixture.Meetings.Member("no-transforms", "Erin");
        await using var context = await MeetingParticipant.NewContextAsync(fixture.Browser, fixture.Daemon.HttpsUri, Conclave.Testing.TestMeetings.SessionCookie, cookie);
        await context.AddInitScriptAsync("delete window.RTCRtpScriptTransform;");
        var page = await context.NewPageAsync();

        await page.GotoAsync(new Uri(fixture.Daemon.HttpsUri, $"/m/{meetingId}").ToString());

        await Assertions.Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("cannot encrypt the meeting end to end");
        await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Join" })).ToBeHiddenAsync();
    }

    [Fact]
    public async Task Chat_reaches_the_others_signed_by_its_author_and_leaves_no_trace_of_its_text_on_the_appliance()
    {
        const string room = "chat-three";
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await using var bob = await fixture.JoinAsync(room, "Bob");
        await using var carol = await fixture.JoinAsync(room, "Carol");
        await MeetingParticipant.SameSecurityCodeAsync([alice, bob, carol]);
        string secret = $"Client asset plan 5,000,000 USD — {Guid.NewGuid():N}";
        string secretReply = $"MRI series 7 looks clear — {Guid.NewGuid():N}";

        await alice.SendChatAsync(secret);
        await bob.SendChatAsync(secretReply);

        foreach (var (reader, line, author) in new[] { (bob, secret, "Alice"), (carol, secret, "Alice"), (alice, secretReply, "Bob"), (carol, secretReply, "Bob") })
        {
            await Eventually.HoldsAsync(reader.ChatAsync, lines => lines.Any(l => l.Text == line), TimeSpan.FromSeconds(10), $"{reader.Name} reading {author}'s line");
            Assert.Contains((await reader.ChatAsync()), l => l.Text == line && l.From == author);
        }

        // Nothing of either line on the appliance: state directory (database, audit log,
        // sealed store) and everything conclaved logged.
        await fixture.AssertApplianceHoldsNoneAsync("chat text", secret[^32..], secretReply[^32..]);
    }

    [Fact]
    public async Task Every_forwarded_media_payload_is_SFrame_under_a_key_per_stream_and_epoch_that_opens_only_with_that_epoch()
    {
        const string room = "forward-tap";
        string roomId = fixture.Meetings.MeetingId(room);
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await MeetingParticipant.SameSecurityCodeAsync([alice]);
        var aloneEpoch = await alice.EpochSecretAsync();
        await using var bob = await fixture.JoinAsync(room, "Bob");
        await MeetingParticipant.SameSecurityCodeAsync([alice, bob]);
        await Eventually.HoldsAsync(bob.ReceiveStatsAsync, s => s.TryGetValue(alice.Id, out var r) && r.FramesDecoded >= 30,
            MediaTimeout, "Bob decoding Alice's video");
        var epoch = await alice.EpochSecretAsync();

        fixture.Forwarded.Record(roomId);
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(epoch.Epoch, (await alice.EpochSecretAsync()).Epoch);
        var fromAlice = fixture.Forwarded.Packets(roomId).Where(p => p.PublisherPeerId == alice.Id).ToList();

        var layout = MlsKeyIdLayout.ForLeafCount(epoch.LeafCount);
        var sealedUnder = new HashSet<(ulong Kid, ulong Ctr)>();
        var kidsByKind = new Dictionary<MediaKind, HashSet<ulong>> { [MediaKind.Audio] = [], [MediaKind.Video] = [] };
        var frames = Frames(fromAlice).ToList();
        Assert.True(frames.Count(f => f.Kind == MediaKind.Audio) >= 50, $"{frames.Count(f => f.Kind == MediaKind.Audio)} audio frames forwarded in 3 s");
        Assert.True(frames.Count(f => f.Kind == MediaKind.Video) >= 20, $"{frames.Count(f => f.Kind == MediaKind.Video)} video frames forwarded in 3 s");
        foreach (var (kind, frame) in frames)
        {
            var mediaKind = kind == MediaKind.Audio ? SFrameMediaKind.Audio : SFrameMediaKind.Video;
            Assert.True(SFrameMediaFrame.TryReadHeader(mediaKind, frame, out var header), $"a forwarded {kind} frame without an SFrame header");
            var kid = layout.Parse(header.Kid);
            Assert.Equal((ulong)(kind == MediaKind.Audio ? SFrameStreamContext.Microphone : SFrameStreamContext.Camera), kid.Context);
            Assert.Equal((uint)epoch.OwnLeaf, kid.SenderIndex);
            Assert.Equal(epoch.Epoch & 0xff, kid.EpochLowBits);
            Assert.True(sealedUnder.Add((header.Kid, header.Ctr)), $"KID {header.Kid} CTR {header.Ctr} used twice: a repeated nonce");
            kidsByKind[kind].Add(header.Kid);

            // C# opens what Chromium sealed, with this epoch's secret and no other.
            using var key = SFrameKey.FromBaseKey(epoch.SFrameEpochSecret, header.Kid);
            byte[]? plain = SFrameMediaFrame.Open(key, mediaKind, frame);
            Assert.NotNull(plain);
            if (kind == MediaKind.Video && (plain[0] & 1) == 0)
            {
                // A VP8 key frame's start code (RFC 6386 §9.1), in the authenticated clear prefix.
                Assert.Equal(new byte[] { 0x9d, 0x01, 0x2a }, plain[3..6]);
            }
            using var otherEpochKey = SFrameKey.FromBaseKey(aloneEpoch.SFrameEpochSecret, header.Kid);
            Assert.Null(SFrameMediaFrame.Open(otherEpochKey, mediaKind, frame));
        }

        // One key per stream and epoch: microphone and camera never share a KID, and neither
        // reuses the KID it had when Alice was alone.
        Assert.Single(kidsByKind[MediaKind.Audio]);
        Assert.Single(kidsByKind[MediaKind.Video]);
        Assert.NotEqual(kidsByKind[MediaKind.Audio].Single(), kidsByKind[MediaKind.Video].Single());
        var aloneLayout = MlsKeyIdLayout.ForLeafCount(aloneEpoch.LeafCount);
        Assert.DoesNotContain(aloneLayout.KeyId((ulong)SFrameStreamContext.Microphone, (uint)aloneEpoch.OwnLeaf, aloneEpoch.Epoch), kidsByKind[MediaKind.Audio]);
        Assert.DoesNotContain(aloneLayout.KeyId((ulong)SFrameStreamContext.Camera, (uint)aloneEpoch.OwnLeaf, aloneEpoch.Epoch), kidsByKind[MediaKind.Video]);
    }

    [Fact]
    public async Task A_member_removed_from_the_group_decodes_nothing_of_the_next_epoch_though_the_SFU_still_forwards_to_them()
    {
        const string room = "removed-but-forwarded";
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await using var bob = await fixture.JoinAsync(room, "Bob");
        await using var carol = await fixture.JoinAsync(room, "Carol");
        var everyone = new[] { alice, bob, carol };
        string codeOfThree = await MeetingParticipant.SameSecurityCodeAsync(everyone);
        foreach (var receiver in everyone)
        {
            await Eventually.HoldsAsync(receiver.ReceiveStatsAsync,
                s => everyone.Where(p => p != receiver).All(sender => s.TryGetValue(sender.Id, out var r) && r.FramesDecoded >= 30),
                MediaTimeout, $"{receiver.Name} decoding both others");
        }

        // The appliance removes Carol from the MLS group but, like a malicious SFU, keeps her
        // media session and goes on forwarding Alice's and Bob's packets to her.
        var delivery = fixture.Daemon.App.Services.GetRequiredService<RoomDirectory>().Delivery(fixture.Meetings.MeetingId(room))!;
        delivery.Leave(carol.Id);
        await MeetingParticipant.SameSecurityCodeAsync([alice, bob], differentFrom: codeOfThree);
        // Frames of the old epoch still in flight may decode; wait them out.
        await Task.Delay(TimeSpan.FromSeconds(1));

        var before = await carol.ReceiveStatsAsync();
        await MeetingParticipant.FramesKeepComingAsync(alice, bob);
        await MeetingParticipant.FramesKeepComingAsync(bob, alice);
        var after = await carol.ReceiveStatsAsync();
        foreach (var sender in new[] { alice, bob })
        {
            Assert.True(after[sender.Id].VideoPacketsReceived > before[sender.Id].VideoPacketsReceived + 50,
                $"the SFU stopped forwarding {sender.Name}'s video to Carol, so the test shows nothing");
            Assert.Equal(before[sender.Id].FramesDecoded, after[sender.Id].FramesDecoded);
        }
    }

    /// <summary>Whole media frames from forwarded RTP: an Opus packet is a frame; VP8 frames are reassembled (RFC 7741 §4.2–4.5).</summary>
    private static IEnumerable<(MediaKind Kind, byte[] Frame)> Frames(IEnumerable<ForwardedPacket> packets)
    {
        var video = new List<(ushort Sequence, uint Timestamp, bool Marker, byte[] Payload, bool StartsFrame)>();
        foreach (var packet in packets)
        {
            Assert.True(RtpHeader.TryGetLength(packet.RtpPacket, out int headerLength));
            byte[] payload = packet.RtpPacket[headerLength..];
            if (packet.Kind == MediaKind.Audio)
            {
                yield return (MediaKind.Audio, payload);
                continue;
            }
            Assert.True(Vp8PayloadDescriptor.TryParse(payload, out var descriptor));
            video.Add((BinaryPrimitives.ReadUInt16BigEndian(packet.RtpPacket.AsSpan(2)), BinaryPrimitives.ReadUInt32BigEndian(packet.RtpPacket.AsSpan(4)),
                (packet.RtpPacket[1] & 0x80) != 0, payload[descriptor.Length..], descriptor.StartsFrame));
        }
        foreach (var frame in video.GroupBy(p => p.Timestamp))
        {
            var parts = frame.OrderBy(p => p.Sequence).ToList();
            bool whole = parts[0].StartsFrame && parts[^1].Marker
                && parts.Zip(parts.Skip(1)).All(pair => (ushort)(pair.First.Sequence + 1) == pair.Second.Sequence);
            // The recording started mid-frame, or a packet was retransmitted twice: not a whole frame.
            if (whole) yield return (MediaKind.Video, parts.SelectMany(p => p.Payload).ToArray());
        }
    }
}
