using System.Net;
using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Ports;
using Conclave.Testing;
using Conclave.Web.Ports;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests;

/// <summary>
/// The appliance as MLS Authentication and Delivery Service over real WSS and HTTPS
/// (docs/signalling.md, "End-to-end encryption"): credentials at join, the group's founding,
/// GroupInfo over HTTPS, commit ordering, removal after a leave, and the data relay.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class EndToEndEncryptionTests(InProcessDaemon fixture)
{
    private static readonly byte[] GroupInfo = RandomNumberGenerator.GetBytes(3000);

    [Fact]
    public async Task A_join_without_e2ee_is_refused_with_e2ee_required()
    {
        var (client, meetingId) = await fixture.ConnectMemberAsync("e2ee-missing");
        await using var _client = client;

        await client.SendJsonAsync(new { type = "join", room = meetingId });

        var error = await client.ReceiveTypeAsync("error");
        Assert.Equal("e2ee-required", error.GetProperty("code").GetString());
        Assert.Null(await client.ReceiveAsync());
    }

    [Fact]
    public async Task A_join_whose_signature_key_is_not_a_p256_point_is_malformed()
    {
        var (client, meetingId) = await fixture.ConnectMemberAsync("e2ee-bad-key");
        await using var _client = client;
        byte[] offCurve = JoinMessages.NewSignatureKey();
        offCurve[64] ^= 1;

        await client.SendJsonAsync(new { type = "join", room = meetingId, e2ee = new { signatureKey = Convert.ToBase64String(offCurve) } });

        var error = await client.ReceiveTypeAsync("error");
        Assert.Equal("malformed", error.GetProperty("code").GetString());
        Assert.Contains("P-256", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Joined_carries_a_credential_signed_by_the_tokens_credential_ca_naming_this_meeting_participant_attendee_and_key()
    {
        byte[] signatureKey = JoinMessages.NewSignatureKey();
        await using var ada = await JoinAsync("e2ee-credential", "Ada Lovelace", signatureKey);

        var credential = ReadCredential.Parse(Convert.FromBase64String(ada.E2ee.GetProperty("credential").GetString()!));
        byte[] caPublicKey = Convert.FromBase64String(ada.E2ee.GetProperty("caPublicKey").GetString()!);

        using var ca = ECDsa.Create();
        ca.ImportSubjectPublicKeyInfo(caPublicKey, out _);
        Assert.True(ca.VerifyData((byte[])[.. "Conclave credential v1"u8, .. credential.Body], credential.CaSignature, HashAlgorithmName.SHA256,
            DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        using var caCertificate = X509Certificate2.CreateFromPem(fixture.Daemon.App.Services.GetRequiredService<ITokenStatusSource>().CredentialCaPem()!);
        Assert.Equal(caCertificate.GetECDsaPublicKey()!.ExportSubjectPublicKeyInfo(), caPublicKey);

        long accountId = fixture.Daemon.App.Services.GetRequiredService<AccountService>().Authenticate(ada.Cookie)!.Value.Account.Id;
        Assert.Equal(1, credential.Version);
        Assert.Equal(ada.MeetingId, credential.MeetingId);
        Assert.Equal(ada.ParticipantId, credential.ParticipantId);
        Assert.Equal($"account:{accountId}", credential.AttendeeKey);
        Assert.Equal("Ada Lovelace", credential.DisplayName);
        Assert.Equal(2, credential.Kind);
        Assert.InRange((long)credential.NotAfterUnixSeconds, DateTimeOffset.UtcNow.AddHours(12).AddMinutes(-1).ToUnixTimeSeconds(), DateTimeOffset.UtcNow.AddHours(12).ToUnixTimeSeconds());
        Assert.Equal(SHA256.HashData(signatureKey), credential.SignatureKeySha256);
    }

    [Fact]
    public async Task A_credential_for_a_meeting_scheduled_past_twelve_hours_lasts_until_an_hour_after_its_end()
    {
        var store = fixture.Daemon.App.Services.GetRequiredService<IMeetingStore>();
        var meeting = store.Find(fixture.Meetings.MeetingId("e2ee-all-day"))!;
        var endsAt = DateTimeOffset.UtcNow.AddHours(20);
        store.Update(meeting with { EndsAt = endsAt });

        await using var ada = await JoinAsync("e2ee-all-day", "Ada Lovelace");

        var credential = ReadCredential.Parse(Convert.FromBase64String(ada.E2ee.GetProperty("credential").GetString()!));
        Assert.Equal(endsAt.AddHours(1).ToUnixTimeSeconds(), (long)credential.NotAfterUnixSeconds);
    }

    [Fact]
    public async Task The_founder_puts_epoch_0_and_the_next_participant_is_told_to_join_and_gets_that_group_info()
    {
        await using var founder = await JoinAsync("e2ee-found", "Founder");
        var create = await founder.Socket.ReceiveTypeAsync("mls-create");
        Assert.Equal(16, Convert.FromBase64String(create.GetProperty("groupId").GetString()!).Length);
        Assert.Equal(HttpStatusCode.NoContent, (await PutGroupInfoAsync(founder, 0, GroupInfo)).StatusCode);

        await using var joiner = await JoinAsync("e2ee-found", "Joiner");
        Assert.Equal(0UL, (await joiner.Socket.ReceiveTypeAsync("mls-join")).GetProperty("epoch").GetUInt64());
        using var response = await GetGroupInfoAsync(joiner);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/octet-stream", response.Content.Headers.ContentType?.MediaType);
        Assert.Equal(["0"], response.Headers.GetValues("Conclave-Mls-Epoch"));
        Assert.Equal(GroupInfo, await response.Content.ReadAsByteArrayAsync());
    }

    [Fact]
    public async Task Group_info_is_404_until_the_founder_puts_it()
    {
        await using var founder = await JoinAsync("e2ee-404", "Founder");
        await using var waiting = await JoinAsync("e2ee-404", "Waiting");

        Assert.Equal(HttpStatusCode.NotFound, (await GetGroupInfoAsync(waiting)).StatusCode);
    }

    [Fact]
    public async Task A_wrong_token_a_missing_token_or_another_persons_cookie_is_401()
    {
        await using var founder = await JoinAsync("e2ee-401", "Founder");
        await using var other = await JoinAsync("e2ee-401", "Other");
        await PutGroupInfoAsync(founder, 0, GroupInfo);

        Assert.Equal(HttpStatusCode.Unauthorized, (await GetGroupInfoAsync(other, token: "not-a-group-token")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetGroupInfoAsync(other, token: "")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await GetGroupInfoAsync(other, cookie: founder.Cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PutGroupInfoAsync(other, 0, GroupInfo, cookie: founder.Cookie)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await GetGroupInfoAsync(other)).StatusCode);
    }

    [Fact]
    public async Task A_put_by_a_participant_not_asked_is_403_and_for_another_epoch_409()
    {
        await using var founder = await JoinAsync("e2ee-403", "Founder");
        await using var waiting = await JoinAsync("e2ee-403", "Waiting");

        Assert.Equal(HttpStatusCode.Forbidden, (await PutGroupInfoAsync(waiting, 0, GroupInfo)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PutGroupInfoAsync(founder, 1, GroupInfo)).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await PutGroupInfoAsync(founder, 0, GroupInfo)).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await PutGroupInfoAsync(founder, 0, GroupInfo)).StatusCode);
    }

    [Fact]
    public async Task A_group_info_over_256_KiB_is_413_whether_its_length_is_declared_or_it_comes_chunked()
    {
        await using var founder = await JoinAsync("e2ee-413", "Founder");
        byte[] tooLarge = new byte[256 * 1024 + 1];

        Assert.Equal(HttpStatusCode.NoContent, (await PutGroupInfoAsync(founder, 0, new byte[256 * 1024], chunked: true)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PutGroupInfoAsync(founder, 0, tooLarge)).StatusCode);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, (await PutGroupInfoAsync(founder, 0, tooLarge, chunked: true)).StatusCode);
    }

    [Fact]
    public async Task Commits_are_broadcast_in_order_to_everyone_and_a_later_commit_for_the_same_epoch_is_stale()
    {
        await using var founder = await FoundedAsync("e2ee-order");
        await using var bob = await JoinAsync("e2ee-order", "Bob");
        await using var carol = await JoinAsync("e2ee-order", "Carol");
        await bob.Socket.ReceiveTypeAsync("mls-join");
        await carol.Socket.ReceiveTypeAsync("mls-join");

        await bob.Socket.SendJsonAsync(new { type = "mls-commit", epoch = 0, commit = "Ym9i", removes = Array.Empty<int>() });
        var seenByFounder = await founder.Socket.ReceiveTypeAsync("mls-commit");
        await carol.Socket.SendJsonAsync(new { type = "mls-commit", epoch = 0, commit = "Y2Fyb2w=", removes = Array.Empty<int>() });

        foreach (var commit in new[] { seenByFounder, await bob.Socket.ReceiveTypeAsync("mls-commit"), await carol.Socket.ReceiveTypeAsync("mls-commit") })
        {
            Assert.Equal(0UL, commit.GetProperty("epoch").GetUInt64());
            Assert.Equal("Ym9i", commit.GetProperty("commit").GetString());
            Assert.Equal(bob.ParticipantId, commit.GetProperty("participantId").GetString());
        }
        Assert.Equal(1UL, (await carol.Socket.ReceiveTypeAsync("mls-stale")).GetProperty("epoch").GetUInt64());
        Assert.Equal(HttpStatusCode.NoContent, (await PutGroupInfoAsync(bob, 1, GroupInfo)).StatusCode);
        Assert.Equal(1UL, (await carol.Socket.ReceiveTypeAsync("mls-join")).GetProperty("epoch").GetUInt64());
    }

    [Fact]
    public async Task When_a_member_leaves_the_lowest_leaf_member_is_asked_to_remove_its_leaf()
    {
        await using var founder = await FoundedAsync("e2ee-remove");
        await using var bob = await JoinAsync("e2ee-remove", "Bob");
        await bob.Socket.ReceiveTypeAsync("mls-join");
        await bob.Socket.SendJsonAsync(new { type = "mls-commit", epoch = 0, commit = "Ym9i", removes = Array.Empty<int>() });
        await bob.Socket.ReceiveTypeAsync("mls-commit");
        await bob.Socket.SendJsonAsync(new { type = "mls-joined", epoch = 1, leaf = 1 });
        Assert.Equal(HttpStatusCode.NoContent, (await PutGroupInfoAsync(bob, 1, GroupInfo)).StatusCode);

        await bob.Socket.SendJsonAsync(new { type = "leave" });

        var remove = await founder.Socket.ReceiveTypeAsync("mls-remove");
        Assert.Equal(1UL, remove.GetProperty("epoch").GetUInt64());
        Assert.Equal(1u, remove.GetProperty("leaf").GetUInt32());
        Assert.Equal(bob.ParticipantId, remove.GetProperty("participantId").GetString());
    }

    [Fact]
    public async Task Data_is_relayed_to_the_others_as_it_came_and_more_than_20_a_second_is_rate_limited()
    {
        await using var founder = await FoundedAsync("e2ee-data");
        await using var bob = await JoinAsync("e2ee-data", "Bob");

        await founder.Socket.SendJsonAsync(new { type = "data", epoch = 0, kind = "chat", ct = "c2VhbGVkIGNoYXQ=" });
        var data = await bob.Socket.ReceiveTypeAsync("data");
        Assert.Equal("c2VhbGVkIGNoYXQ=", data.GetProperty("ct").GetString());
        Assert.Equal("chat", data.GetProperty("kind").GetString());
        Assert.Equal(founder.ParticipantId, data.GetProperty("participantId").GetString());

        for (int i = 0; i < 25; i++) await bob.Socket.SendJsonAsync(new { type = "data", epoch = 0, kind = "chat", ct = "eA==" });
        var error = await bob.Socket.ReceiveTypeAsync("error");
        Assert.Equal("rate-limited", error.GetProperty("code").GetString());
        Assert.Contains("20 chat data messages a second", error.GetProperty("message").GetString());
    }

    [Fact]
    public async Task Content_is_relayed_with_its_kind_on_a_budget_of_40_a_second_apart_from_chat()
    {
        await using var founder = await FoundedAsync("e2ee-content");
        await using var bob = await JoinAsync("e2ee-content", "Bob");

        await founder.Socket.SendJsonAsync(new { type = "data", epoch = 0, kind = "content", ct = "c2VhbGVkIHN0cm9rZQ==" });
        var data = await bob.Socket.ReceiveTypeAsync("data");
        Assert.Equal("c2VhbGVkIHN0cm9rZQ==", data.GetProperty("ct").GetString());
        Assert.Equal("content", data.GetProperty("kind").GetString());
        Assert.Equal(founder.ParticipantId, data.GetProperty("participantId").GetString());

        // 20 chat messages after 39 content ones pass, and the 40th content too; the 41st does not.
        for (int i = 0; i < 39; i++) await bob.Socket.SendJsonAsync(new { type = "data", epoch = 0, kind = "content", ct = "eA==" });
        for (int i = 0; i < 20; i++) await bob.Socket.SendJsonAsync(new { type = "data", epoch = 0, kind = "chat", ct = "eQ==" });
        for (int i = 0; i < 2; i++) await bob.Socket.SendJsonAsync(new { type = "data", epoch = 0, kind = "content", ct = "eA==" });
        var error = await bob.Socket.ReceiveTypeAsync("error");
        Assert.Equal("rate-limited", error.GetProperty("code").GetString());
        Assert.Contains("40 content data messages a second", error.GetProperty("message").GetString());
    }

    /// <summary>A roster member of the room's meeting, joined with a fresh (or the given) signature key, after its <c>joined</c>.</summary>
    private async Task<Participant> JoinAsync(string room, string name, byte[]? signatureKey = null)
    {
        var (meetingId, cookie) = fixture.Meetings.Member(room, name);
        var socket = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
        await socket.SendJsonAsync(new { type = "join", room = meetingId, e2ee = new { signatureKey = Convert.ToBase64String(signatureKey ?? JoinMessages.NewSignatureKey()) } });
        var joined = await socket.ReceiveTypeAsync("joined");
        return new Participant(socket, meetingId, cookie, joined.GetProperty("participantId").GetString()!, joined.GetProperty("e2ee"));
    }

    /// <summary>The room's first participant, having founded the group and put its epoch-0 GroupInfo.</summary>
    private async Task<Participant> FoundedAsync(string room)
    {
        var founder = await JoinAsync(room, "Founder");
        await founder.Socket.ReceiveTypeAsync("mls-create");
        Assert.Equal(HttpStatusCode.NoContent, (await PutGroupInfoAsync(founder, 0, GroupInfo)).StatusCode);
        return founder;
    }

    private Task<HttpResponseMessage> GetGroupInfoAsync(Participant who, string? token = null, string? cookie = null) =>
        SendAsync(who, new HttpRequestMessage(HttpMethod.Get, $"/m/{who.MeetingId}/mls/group-info"), token, cookie);

    private Task<HttpResponseMessage> PutGroupInfoAsync(Participant who, ulong epoch, byte[] body, bool chunked = false, string? cookie = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Put, $"/m/{who.MeetingId}/mls/group-info?epoch={epoch}")
        {
            Content = chunked ? new StreamContent(new MemoryStream(body)) : new ByteArrayContent(body),
        };
        request.Headers.TransferEncodingChunked = chunked;
        return SendAsync(who, request, null, cookie);
    }

    private async Task<HttpResponseMessage> SendAsync(Participant who, HttpRequestMessage request, string? token, string? cookie)
    {
        using var client = new ConsoleClient(fixture.Daemon.HttpsUri);
        client.SetCookie(TestMeetings.SessionCookie, cookie ?? who.Cookie);
        token ??= who.E2ee.GetProperty("groupToken").GetString()!;
        if (token.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (request) return await client.SendAsync(request);
    }

    private sealed record Participant(SignallingClient Socket, string MeetingId, string Cookie, string ParticipantId, JsonElement E2ee) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Socket.DisposeAsync();
    }
}
