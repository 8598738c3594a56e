using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Conclave.Meetings.Ports;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Conclave.Daemon.Tests.SharedFiles;

/// <summary>
/// Shared files over real HTTPS (docs/content-sharing.md): only participants in the room, the
/// bytes back as they went in and nothing of them readable on disk, the quotas, a cut-short
/// upload, deletion, and the room's emptying noted for retention.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class SharedFileEndpointTests(InProcessDaemon fixture)
{
    private static readonly byte[] Marker = Encoding.ASCII.GetBytes("CONCLAVE-SHARED-FILE-MARKER-c41d");

    [Fact]
    public async Task An_upload_comes_back_byte_for_byte_and_nothing_under_the_state_directory_holds_its_bytes()
    {
        await using var ada = await JoinAsync("files-round-trip", "Ada");
        await using var bob = await JoinAsync("files-round-trip", "Bob");
        byte[] upload = WithMarker(300 * 1024);

        using var posted = await PostAsync(ada, upload);
        Assert.Equal(HttpStatusCode.Created, posted.StatusCode);
        var created = await JsonAsync(posted);
        string fileId = created.GetProperty("fileId").GetString()!;
        Assert.Matches("^[0-9a-f]{32}$", fileId);
        Assert.Equal(upload.Length, created.GetProperty("bytes").GetInt64());

        using var got = await GetAsync(bob, fileId);
        Assert.Equal(HttpStatusCode.OK, got.StatusCode);
        Assert.Equal("application/octet-stream", got.Content.Headers.ContentType!.MediaType);
        Assert.Contains("no-store", got.Headers.CacheControl!.ToString());
        Assert.Equal(upload, await got.Content.ReadAsByteArrayAsync());

        string sealedPath = Path.Combine(fixture.StateDirectory, "sealed", "meetings", ada.MeetingId, "files", fileId);
        Assert.True(File.Exists(sealedPath));
        // The state lock is held exclusively (and holds nothing but the holder's process id).
        foreach (string path in Directory.EnumerateFiles(fixture.StateDirectory, "*", SearchOption.AllDirectories).Where(p => Path.GetFileName(p) != Conclave.Storage.StateLock.FileName))
        {
            Assert.True(ReadShared(path).AsSpan().IndexOf(Marker) < 0, $"{path} holds the uploaded bytes");
        }
        var audited = Conclave.Crypto.Audit.AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: "file.upload");
        Assert.Contains(audited, r => r.Object == $"file:{fileId}" && r.Outcome == $"ok: {upload.Length} bytes, meeting:{ada.MeetingId}");
    }

    [Fact]
    public async Task Without_a_group_token_with_another_meetings_or_with_another_persons_cookie_every_request_is_401()
    {
        await using var ada = await JoinAsync("files-auth", "Ada");
        await using var elsewhere = await JoinAsync("files-auth-other", "Eve");
        using var posted = await PostAsync(ada, [1, 2, 3]);
        string fileId = (await JsonAsync(posted)).GetProperty("fileId").GetString()!;

        foreach (var (token, cookie) in new[] { ("", ada.Cookie), (elsewhere.GroupToken, elsewhere.Cookie), (ada.GroupToken, elsewhere.Cookie) })
        {
            using var get = await SendAsync(ada, new HttpRequestMessage(HttpMethod.Get, $"/m/{ada.MeetingId}/files/{fileId}"), token, cookie);
            Assert.Equal(HttpStatusCode.Unauthorized, get.StatusCode);
            Assert.Equal("not-in-meeting", (await JsonAsync(get)).GetProperty("error").GetString());
            using var post = await PostAsync(ada, [1], token, cookie);
            Assert.Equal(HttpStatusCode.Unauthorized, post.StatusCode);
            using var delete = await SendAsync(ada, new HttpRequestMessage(HttpMethod.Delete, $"/m/{ada.MeetingId}/files/{fileId}"), token, cookie);
            Assert.Equal(HttpStatusCode.Unauthorized, delete.StatusCode);
        }
        using var stillThere = await GetAsync(ada, fileId);
        Assert.Equal(HttpStatusCode.OK, stillThere.StatusCode);
    }

    [Fact]
    public async Task A_participant_who_left_can_no_longer_get_a_file_of_the_meeting()
    {
        await using var ada = await JoinAsync("files-left", "Ada");
        var bob = await JoinAsync("files-left", "Bob");
        using var posted = await PostAsync(ada, WithMarker(1000));
        string fileId = (await JsonAsync(posted)).GetProperty("fileId").GetString()!;
        using (var before = await GetAsync(bob, fileId)) Assert.Equal(HttpStatusCode.OK, before.StatusCode);

        await bob.Socket.SendJsonAsync(new { type = "leave" });
        await bob.DisposeAsync();

        await Eventually(async () =>
        {
            using var after = await GetAsync(bob, fileId);
            return after.StatusCode == HttpStatusCode.Unauthorized;
        });
    }

    [Fact]
    public async Task A_file_past_its_limit_a_meeting_past_its_bytes_or_files_and_a_body_without_a_length_are_refused_with_their_codes()
    {
        await using var ada = await JoinAsync("files-limits", "Ada");

        using (var tooLarge = await PostAsync(ada, new byte[InProcessDaemon.MaxFileBytes + 1]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, tooLarge.StatusCode);
            Assert.Equal("file-too-large", (await JsonAsync(tooLarge)).GetProperty("error").GetString());
        }
        for (int i = 0; i < 3; i++)
        {
            using var full = await PostAsync(ada, new byte[InProcessDaemon.MaxFileBytes]);
            Assert.Equal(HttpStatusCode.Created, full.StatusCode);
        }
        using (var bytesFull = await PostAsync(ada, [1]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, bytesFull.StatusCode);
            var error = await JsonAsync(bytesFull);
            Assert.Equal("meeting-files-full", error.GetProperty("error").GetString());
            Assert.Contains($"at most {InProcessDaemon.MaxMeetingBytes} bytes", error.GetProperty("message").GetString());
        }

        await using var bob = await JoinAsync("files-count", "Bob");
        for (int i = 0; i < InProcessDaemon.MaxFilesPerMeeting; i++)
        {
            using var small = await PostAsync(bob, [(byte)i]);
            Assert.Equal(HttpStatusCode.Created, small.StatusCode);
        }
        using (var countFull = await PostAsync(bob, [9]))
        {
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, countFull.StatusCode);
            var error = await JsonAsync(countFull);
            Assert.Equal("meeting-files-full", error.GetProperty("error").GetString());
            Assert.Contains($"at most {InProcessDaemon.MaxFilesPerMeeting} files", error.GetProperty("message").GetString());
        }

        var chunked = new HttpRequestMessage(HttpMethod.Post, $"/m/{bob.MeetingId}/files") { Content = new StreamContent(new MemoryStream([1, 2, 3])) };
        chunked.Headers.TransferEncodingChunked = true;
        using var lengthRequired = await SendAsync(bob, chunked);
        Assert.Equal(HttpStatusCode.LengthRequired, lengthRequired.StatusCode);
        Assert.Equal("length-required", (await JsonAsync(lengthRequired)).GetProperty("error").GetString());
    }

    [Fact]
    public async Task An_upload_cut_short_holds_its_bytes_while_it_runs_then_leaves_no_file_and_gives_them_back()
    {
        await using var ada = await JoinAsync("files-cut", "Ada");
        for (int i = 0; i < 2; i++)
        {
            using var full = await PostAsync(ada, new byte[InProcessDaemon.MaxFileBytes]);
            Assert.Equal(HttpStatusCode.Created, full.StatusCode);
        }
        string files = Path.Combine(fixture.StateDirectory, "sealed", "meetings", ada.MeetingId, "files");

        using (var cut = await StartRawUploadAsync(ada, InProcessDaemon.MaxFileBytes, WithMarker(100_000)))
        {
            await Eventually(() => Task.FromResult(Directory.EnumerateFiles(files, "*.tmp").Any()));
            using var whileRunning = await PostAsync(ada, [1]);
            Assert.Equal(HttpStatusCode.RequestEntityTooLarge, whileRunning.StatusCode);
        }

        await Eventually(async () =>
        {
            using var afterwards = await PostAsync(ada, [1]);
            return afterwards.StatusCode == HttpStatusCode.Created;
        });
        Assert.Empty(Directory.EnumerateFiles(files, "*.tmp"));
        Assert.Equal(3, Directory.EnumerateFiles(files).Count());
    }

    [Fact]
    public async Task Someone_else_may_not_delete_a_file_and_its_uploader_deletes_it_for_good()
    {
        await using var ada = await JoinAsync("files-delete", "Ada");
        await using var bob = await JoinAsync("files-delete", "Bob");
        using var posted = await PostAsync(ada, WithMarker(70_000));
        string fileId = (await JsonAsync(posted)).GetProperty("fileId").GetString()!;

        using (var refused = await DeleteAsync(bob, fileId))
        {
            Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
            Assert.Equal("not-yours", (await JsonAsync(refused)).GetProperty("error").GetString());
        }
        using (var deleted = await DeleteAsync(ada, fileId)) Assert.Equal(HttpStatusCode.NoContent, deleted.StatusCode);
        using (var gone = await GetAsync(bob, fileId)) Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        using (var again = await DeleteAsync(ada, fileId)) Assert.Equal(HttpStatusCode.NotFound, again.StatusCode);

        Assert.False(Directory.Exists(Path.Combine(fixture.StateDirectory, "sealed", "meetings", ada.MeetingId)));
        var audited = Conclave.Crypto.Audit.AuditReader.Read(Path.Combine(fixture.StateDirectory, "audit.log"), action: "file.delete");
        Assert.Contains(audited, r => r.Object == $"file:{fileId}" && r.Outcome.StartsWith("refused:", StringComparison.Ordinal));
        Assert.Contains(audited, r => r.Object == $"file:{fileId}" && r.Outcome.StartsWith("ok: 70000 bytes", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_room_emptying_starts_a_files_retention_and_someone_joining_again_stops_it()
    {
        var ada = await JoinAsync("files-retention", "Ada");
        using var posted = await PostAsync(ada, [1, 2, 3]);
        string fileId = (await JsonAsync(posted)).GetProperty("fileId").GetString()!;
        var index = fixture.Daemon.App.Services.GetRequiredService<ISharedFileIndex>();
        Assert.Null(index.Find(fileId)!.RoomEmptiedAt);

        await ada.DisposeAsync();
        await Eventually(() => Task.FromResult(index.Find(fileId)!.RoomEmptiedAt is not null));

        await using var bob = await JoinAsync("files-retention", "Bob");
        Assert.Null(index.Find(fileId)!.RoomEmptiedAt);
    }

    private static byte[] WithMarker(int length)
    {
        var bytes = RandomNumberGenerator.GetBytes(length);
        for (int at = 0; at + Marker.Length <= bytes.Length; at += 40_000) Marker.CopyTo(bytes, at);
        return bytes;
    }

    /// <summary>A file the daemon has open (the database, its WAL) read without disturbing it.</summary>
    private static byte[] ReadShared(string path)
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        using var copy = new MemoryStream();
        file.CopyTo(copy);
        return copy.ToArray();
    }

    private static async Task Eventually(Func<Task<bool>> condition)
    {
        for (var deadline = DateTime.UtcNow.AddSeconds(10); DateTime.UtcNow < deadline; await Task.Delay(50))
        {
            if (await condition()) return;
        }
        Assert.Fail("the condition did not hold within 10 s");
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response)
    {
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsByteArrayAsync()).RootElement.Clone();
    }

    private Task<HttpResponseMessage> PostAsync(Participant who, byte[] body, string? token = null, string? cookie = null)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/octet-stream");
        return SendAsync(who, new HttpRequestMessage(HttpMethod.Post, $"/m/{who.MeetingId}/files") { Content = content }, token, cookie);
    }

    private Task<HttpResponseMessage> GetAsync(Participant who, string fileId) =>
        SendAsync(who, new HttpRequestMessage(HttpMethod.Get, $"/m/{who.MeetingId}/files/{fileId}"));

    private Task<HttpResponseMessage> DeleteAsync(Participant who, string fileId) =>
        SendAsync(who, new HttpRequestMessage(HttpMethod.Delete, $"/m/{who.MeetingId}/files/{fileId}"));

    private async Task<HttpResponseMessage> SendAsync(Participant who, HttpRequestMessage request, string? token = null, string? cookie = null)
    {
        using var client = new ConsoleClient(fixture.Daemon.HttpsUri);
        client.SetCookie(TestMeetings.SessionCookie, cookie ?? who.Cookie);
        token ??= who.GroupToken;
        if (token.Length > 0) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using (request)
        {
            var response = await client.SendAsync(request);
            await response.Content.LoadIntoBufferAsync();
            return response;
        }
    }

    /// <summary>An upload declaring <paramref name="declared"/> bytes of which only <paramref name="sent"/> go; disposing it drops the connection.</summary>
    private async Task<SslStream> StartRawUploadAsync(Participant who, long declared, byte[] sent)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(fixture.Daemon.HttpsUri.Host, fixture.Daemon.HttpsUri.Port);
        var tls = new SslStream(tcp.GetStream(), leaveInnerStreamOpen: false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(fixture.Daemon.HttpsUri.Host);
        string head = $"POST /m/{who.MeetingId}/files HTTP/1.1\r\nHost: {fixture.Daemon.HttpsUri.Authority}\r\n" +
            $"Authorization: Bearer {who.GroupToken}\r\nCookie: {TestMeetings.SessionCookie}={who.Cookie}\r\n" +
            $"Content-Type: application/octet-stream\r\nContent-Length: {declared}\r\n\r\n";
        await tls.WriteAsync(Encoding.ASCII.GetBytes(head));
        await tls.WriteAsync(sent);
        await tls.FlushAsync();
        return tls;
    }

    /// <summary>A roster member of the room's meeting, in the room (after <c>joined</c>).</summary>
    private async Task<Participant> JoinAsync(string room, string name)
    {
        var (meetingId, cookie) = fixture.Meetings.Member(room, name);
        var socket = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
        await socket.JoinAsync(meetingId);
        var joined = await socket.ReceiveTypeAsync("joined");
        return new Participant(socket, meetingId, cookie, joined.GetProperty("e2ee").GetProperty("groupToken").GetString()!);
    }

    private sealed record Participant(SignallingClient Socket, string MeetingId, string Cookie, string GroupToken) : IAsyncDisposable
    {
        public ValueTask DisposeAsync() => Socket.DisposeAsync();
    }
}
