using System.Net.WebSockets;
using System.Text.Json;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>
/// Malformed, oversized or out-of-order signalling: an error message to that socket,
/// then its end (1008 policy violation); everyone else carries on.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class SignallingBadInputTests(InProcessDaemon fixture)
{
    public static TheoryData<string, string, string> HostileFirstMessages => new()
    {
        { "{not json", "malformed", "not valid JSON" },
        { "[1,2,3]", "malformed", "must be a JSON object" },
        { "{\"type\":\"dance\"}", "malformed", "unknown message type 'dance'" },
        { "{\"type\":\"join\",\"room\":\"../etc\"}", "malformed", "room: use 1–64 letters" },
        { "{\"type\":\"join\",\"room\":42}", "malformed", "'room' must be a string" },
        { "{\"type\":\"answer\",\"revision\":1,\"sdp\":\"v=0\"}", "out-of-order", "join first" },
        { "{\"type\":\"restart-ice\"}", "out-of-order", "join first" },
        { "{\"type\":\"join\",\"room\":\"" + new string('a', 65) + "\"}", "malformed", "'room' is longer than 64 characters" },
    };

    [Theory]
    [MemberData(nameof(HostileFirstMessages))]
    public async Task A_hostile_first_message_gets_an_error_and_the_socket_closes(string message, string code, string text)
    {
        var (client, _) = await fixture.ConnectMemberAsync("hostile-first");
        await using var _client = client;
        await client.SendTextAsync(message);
        await ExpectErrorAndCloseAsync(client, code, text);
    }

    [Fact]
    public async Task An_oversized_message_is_refused_without_being_buffered_whole()
    {
        var (client, _) = await fixture.ConnectMemberAsync("oversized");
        await using var _client = client;
        await client.SendTextAsync("{\"type\":\"join\",\"room\":\"" + new string('x', 200_000) + "\"}");
        await ExpectErrorAndCloseAsync(client, "too-large", "at most 65536 bytes");
    }

    [Fact]
    public async Task A_binary_frame_is_refused()
    {
        var (client, _) = await fixture.ConnectMemberAsync("binary");
        await using var _client = client;
        await client.SendBinaryAsync([1, 2, 3]);
        await ExpectErrorAndCloseAsync(client, "malformed", "JSON text frames");
    }

    [Fact]
    public async Task A_second_join_is_out_of_order()
    {
        var (client, meetingId) = await fixture.ConnectMemberAsync("twice", "Eve");
        await using var _client = client;
        await client.JoinAsync(meetingId);
        await client.ReceiveTypeAsync("offer");
        await client.JoinAsync(meetingId);
        await ExpectErrorAndCloseAsync(client, "out-of-order", "already joined");
    }

    [Fact]
    public async Task An_answer_naming_the_wrong_revision_is_refused()
    {
        var (client, meetingId) = await fixture.ConnectMemberAsync("revisions", "Eve");
        await using var _client = client;
        await client.JoinAsync(meetingId);
        var offer = await client.ReceiveTypeAsync("offer");
        int revision = offer.GetProperty("revision").GetInt32();
        await client.SendJsonAsync(new { type = "answer", revision = revision + 5, sdp = "v=0" });
        await ExpectErrorAndCloseAsync(client, "bad-sdp", $"revision {revision} awaits an answer");
    }

    [Fact]
    public async Task Malformed_sdp_in_an_answer_gets_a_clear_error()
    {
        var (client, meetingId) = await fixture.ConnectMemberAsync("bad-sdp", "Eve");
        await using var _client = client;
        await client.JoinAsync(meetingId);
        var offer = await client.ReceiveTypeAsync("offer");
        await client.SendJsonAsync(new { type = "answer", revision = offer.GetProperty("revision").GetInt32(), sdp = "v=0\r\nthis is not sdp\r\n" });
        var error = await ExpectErrorAndCloseAsync(client, "bad-sdp", "");
        Assert.Contains("line", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Others_in_the_room_are_unaffected_by_a_hostile_participant()
    {
        var (good, meetingId) = await fixture.ConnectMemberAsync("mixed", "Grace");
        await using var _good = good;
        await good.JoinAsync(meetingId);
        await good.ReceiveTypeAsync("offer");

        var (hostile, _) = await fixture.ConnectMemberAsync("mixed", "Mallory");
        await using var _hostile = hostile;
        await hostile.JoinAsync(meetingId);
        var joined = await good.ReceiveTypeAsync("participant-joined");
        string malloryId = joined.GetProperty("participant").GetProperty("id").GetString()!;
        await hostile.SendTextAsync("{\"type\":\"answer\",\"revision\":\"one\"}");
        await ExpectErrorAndCloseAsync(hostile, "malformed", "'revision' must be");

        // Grace hears that Mallory left, and a newcomer still joins normally.
        var left = await good.ReceiveTypeAsync("participant-left");
        Assert.Equal(malloryId, left.GetProperty("participantId").GetString());
        var (newcomer, _) = await fixture.ConnectMemberAsync("mixed", "Heidi");
        await using var _newcomer = newcomer;
        await newcomer.JoinAsync(meetingId);
        var welcome = await newcomer.ReceiveTypeAsync("joined");
        Assert.Contains(welcome.GetProperty("participants").EnumerateArray(), p => p.GetProperty("name").GetString() == "Grace");
        Assert.Equal(WebSocketState.Open, good.State);
    }

    [Fact]
    public async Task A_page_from_another_origin_cannot_open_signalling()
    {
        var refused = await Assert.ThrowsAsync<WebSocketException>(() =>
            fixture.ConnectMemberAsync("origins", origin: "https://meeting-stealer.example"));
        Assert.Contains("403", refused.Message);
        var (sameOrigin, _) = await fixture.ConnectMemberAsync("origins", origin: fixture.Daemon.HttpsUri.GetLeftPart(UriPartial.Authority));
        await using var _sameOrigin = sameOrigin;
        Assert.Equal(WebSocketState.Open, sameOrigin.State);
    }

    private static async Task<JsonElement> ExpectErrorAndCloseAsync(SignallingClient client, string code, string text)
    {
        JsonElement? message;
        do
        {
            message = await client.ReceiveAsync();
            Assert.True(message is not null, $"the socket closed without an error message (expected '{code}')");
        }
        while (message.Value.GetProperty("type").GetString() != "error");
        Assert.Equal(code, message.Value.GetProperty("code").GetString());
        Assert.Contains(text, message.Value.GetProperty("message").GetString());
        Assert.Null(await client.ReceiveAsync());
        Assert.Equal(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
        return message.Value;
    }
}
