using System.Net.WebSockets;
using System.Text.Json;
using Conclave.Testing;
using Conclave.Web.Signalling;

namespace Conclave.Daemon.Tests;

/// <summary>
/// What one person may hold through signalling is bounded (SignallingLimitOptions, at its
/// defaults here): each limit answers with its error code and closes only the socket past it.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class SignallingLimitsTests(InProcessDaemon fixture)
{
    private static readonly SignallingLimitOptions Defaults = new();

    [Fact]
    public async Task A_person_past_the_socket_limit_is_refused_and_their_other_sockets_stay_open()
    {
        var (_, cookie) = fixture.Meetings.Member("socket-limit", "Sam");
        var open = new List<SignallingClient>();
        try
        {
            for (int i = 0; i < Defaults.SocketsPerAttendee; i++) open.Add(await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie));
            await using var extra = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);

            var error = await ExpectErrorAsync(extra);

            Assert.Equal("too-many-connections", error.GetProperty("code").GetString());
            Assert.All(open, client => Assert.Equal(WebSocketState.Open, client.State));
        }
        finally
        {
            foreach (var client in open) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_freed_socket_slot_can_be_used_again()
    {
        var (meetingId, cookie) = fixture.Meetings.Member("socket-reuse", "Sasha");
        for (int i = 0; i < Defaults.SocketsPerAttendee + 2; i++)
        {
            await using var client = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
            await client.SendJsonAsync(new { type = "leave" });
            Assert.Null(await client.ReceiveAsync());
        }
        await using var last = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
        await last.JoinAsync(meetingId);
        Assert.Equal("joined", (await last.ReceiveAsync())!.Value.GetProperty("type").GetString());
    }

    [Fact]
    public async Task A_person_in_more_media_sessions_than_allowed_is_refused_the_next_one()
    {
        var (meetingId, cookie) = fixture.Meetings.Member("peer-limit", "Pat");
        var joined = new List<SignallingClient>();
        try
        {
            for (int i = 0; i < Defaults.PeersPerAttendee; i++)
            {
                var client = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
                joined.Add(client);
                await client.JoinAsync(meetingId);
                await client.ReceiveTypeAsync("joined");
            }
            await using var extra = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
            await extra.JoinAsync(meetingId);

            var error = await ExpectErrorAsync(extra);

            Assert.Equal("too-many-connections", error.GetProperty("code").GetString());
            Assert.Contains($"at most {Defaults.PeersPerAttendee} meetings or tabs", error.GetProperty("message").GetString());
        }
        finally
        {
            foreach (var client in joined) await client.DisposeAsync();
        }
    }

    [Fact]
    public async Task A_flood_of_messages_on_one_socket_is_refused_as_rate_limited()
    {
        var (meetingId, cookie) = fixture.Meetings.Member("message-rate", "Flo");
        await using var client = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
        await client.JoinAsync(meetingId);
        await client.ReceiveTypeAsync("joined");

        for (int i = 0; i < 4 * Defaults.MessagesPerSecond; i++)
        {
            try
            {
                await client.SendJsonAsync(new { type = "candidate", candidate = "candidate:1 1 udp 1 127.0.0.1 9 typ host", sdpMid = "0" });
            }
            catch (WebSocketException)
            {
                break; // closed under us: the refusal is waiting to be read
            }
        }

        var error = await ExpectErrorAsync(client);
        Assert.Equal("rate-limited", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Joining_again_and_again_is_refused_past_the_joins_a_minute()
    {
        var (meetingId, cookie) = fixture.Meetings.Member("join-rate", "Jo");
        for (int i = 0; i < Defaults.JoinsPerAttendeePerMinute; i++)
        {
            await using var client = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
            await client.JoinAsync(meetingId);
            await client.ReceiveTypeAsync("joined");
        }
        await using var again = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
        await again.JoinAsync(meetingId);

        var error = await ExpectErrorAsync(again);

        Assert.Equal("rate-limited", error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task A_browser_that_could_not_apply_an_offer_leaves_and_the_others_are_told()
    {
        var (meetingId, cookie) = fixture.Meetings.Member("negotiation-failed", "Nia");
        var (_, otherCookie) = fixture.Meetings.Member("negotiation-failed", "Oto");
        await using var stayer = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, otherCookie);
        await stayer.JoinAsync(meetingId);
        await stayer.ReceiveTypeAsync("joined");
        await using var failing = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
        await failing.JoinAsync(meetingId);
        string failingId = (await failing.ReceiveTypeAsync("joined")).GetProperty("participantId").GetString()!;

        await failing.SendJsonAsync(new { type = "negotiation-failed", reason = "Failed to set remote offer sdp\n<2>forged" });

        Assert.Equal(failingId, (await stayer.ReceiveTypeAsync("participant-left")).GetProperty("participantId").GetString());
        JsonElement? next;
        while ((next = await failing.ReceiveAsync()) is not null)
        {
            Assert.NotEqual("error", next.Value.GetProperty("type").GetString());
        }
        Assert.Equal(WebSocketCloseStatus.NormalClosure, failing.CloseStatus);
    }

    private static async Task<JsonElement> ExpectErrorAsync(SignallingClient client)
    {
        JsonElement? message;
        do
        {
            message = await client.ReceiveAsync();
            Assert.True(message is not null, "the socket closed without an error message");
        }
        while (message.Value.GetProperty("type").GetString() != "error");
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        return message.Value;
    }
}
