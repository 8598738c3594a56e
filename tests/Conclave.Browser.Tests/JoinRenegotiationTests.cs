using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using Conclave.Testing;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Conclave.Browser.Tests;

/// <summary>
/// What a join costs the others: the appliance is the only SDP offerer (docs/architecture.md),
/// and a newcomer's answer reveals their microphone and camera together, so each participant
/// already in the room answers one new offer per join, not one per stream. The test also logs
/// how long the newcomer waits from pressing Join to a decoded frame of each other participant.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class JoinRenegotiationTests(DaemonFixture fixture, ITestOutputHelper output)
{
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StatsPollInterval = TimeSpan.FromMilliseconds(50);

    [Fact]
    public async Task A_newcomer_makes_each_participant_already_in_the_room_answer_exactly_one_offer()
    {
        const string room = "one-offer-per-join";
        var (alice, aliceOffers) = await JoinCountingOffersAsync(room, "Alice");
        await using var _alice = alice;
        var (bob, bobOffers) = await JoinCountingOffersAsync(room, "Bob");
        await using var _bob = bob;
        await DecodesAsync(alice, bob);
        await DecodesAsync(bob, alice);

        var (meetingId, cookie) = fixture.Meetings.Member(room, "Carol");
        var context = await MeetingParticipant.NewContextAsync(fixture.Browser, fixture.Daemon.HttpsUri, TestMeetings.SessionCookie, cookie);
        var page = await context.NewPageAsync();
        PageLog.Attach(page);
        await page.GotoAsync(new Uri(fixture.Daemon.HttpsUri, $"/m/{meetingId}").ToString());
        await Assertions.Expect(page.GetByText("You join as Carol")).ToBeVisibleAsync();
        int aliceBefore = aliceOffers.Count, bobBefore = bobOffers.Count;

        var sinceClick = Stopwatch.StartNew();
        await using var carol = await MeetingParticipant.JoinOnPageAsync(context, page, "Carol");
        var joined = sinceClick.Elapsed;
        // Each receiver's first decoded frame of each sender, timed from the click.
        var pairs = new (MeetingParticipant Receiver, MeetingParticipant Sender)[] { (carol, alice), (carol, bob), (alice, carol), (bob, carol) };
        var firstFrames = new Dictionary<string, TimeSpan>();
        while (firstFrames.Count < pairs.Length)
        {
            if (sinceClick.Elapsed > MediaTimeout)
            {
                throw new Xunit.Sdk.XunitException($"only {string.Join(", ", firstFrames.Keys)} decoded a frame within {MediaTimeout.TotalSeconds} s of Carol's click");
            }
            foreach (var (receiver, sender) in pairs)
            {
                string pair = $"{receiver.Name} ← {sender.Name}";
                if (firstFrames.ContainsKey(pair)) continue;
                var stats = await receiver.ReceiveStatsAsync();
                if (stats.TryGetValue(sender.Id, out var r) && r.FramesDecoded > 0) firstFrames[pair] = sinceClick.Elapsed;
            }
            await Task.Delay(StatsPollInterval);
        }
        output.WriteLine($"click Join → Carol joined {joined.TotalMilliseconds:0} ms; → first decoded frame: "
            + string.Join(", ", firstFrames.Select(f => $"{f.Key} {f.Value.TotalMilliseconds:0} ms")) + $" (polled every {StatsPollInterval.TotalMilliseconds:0} ms)");

        // Offers arrive before the media they announce; a second one would follow within a round trip.
        await Task.Delay(TimeSpan.FromSeconds(1));
        var aliceOffersForCarol = aliceOffers.Skip(aliceBefore).ToList();
        var bobOffersForCarol = bobOffers.Skip(bobBefore).ToList();
        output.WriteLine($"offers during Carol's join: Alice {aliceOffersForCarol.Count}, Bob {bobOffersForCarol.Count}");
        Assert.Single(aliceOffersForCarol);
        Assert.Single(bobOffersForCarol);
    }

    /// <summary>Joins with the page's signalling frames watched from the start: every offer the appliance sends is counted.</summary>
    private async Task<(MeetingParticipant Participant, ConcurrentQueue<string> Offers)> JoinCountingOffersAsync(string room, string name)
    {
        var (meetingId, cookie) = fixture.Meetings.Member(room, name);
        var context = await MeetingParticipant.NewContextAsync(fixture.Browser, fixture.Daemon.HttpsUri, TestMeetings.SessionCookie, cookie);
        var page = await context.NewPageAsync();
        PageLog.Attach(page);
        var offers = new ConcurrentQueue<string>();
        page.WebSocket += (_, socket) => socket.FrameReceived += (_, frame) =>
        {
            if (frame.Text is { } text && IsOffer(text)) offers.Enqueue(text);
        };
        await page.GotoAsync(new Uri(fixture.Daemon.HttpsUri, $"/m/{meetingId}").ToString());
        return (await MeetingParticipant.JoinOnPageAsync(context, page, name), offers);
    }

    private static bool IsOffer(string frame)
    {
        try
        {
            using var message = JsonDocument.Parse(frame);
            return message.RootElement.ValueKind == JsonValueKind.Object
                && message.RootElement.TryGetProperty("type", out var type) && type.GetString() == "offer";
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static Task DecodesAsync(MeetingParticipant receiver, MeetingParticipant sender) =>
        Eventually.HoldsAsync(receiver.ReceiveStatsAsync, s => s.TryGetValue(sender.Id, out var r) && r.FramesDecoded > 0,
            MediaTimeout, $"{receiver.Name} decoding {sender.Name}'s video");
}
