using System.Net.Security;
using System.Net.Sockets;
using System.Text;
using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>HTTP-level defences of the web side, over real HTTPS.</summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class WebHardeningTests(InProcessDaemon fixture)
{
    [Fact]
    public async Task A_websocket_handshake_with_two_origin_headers_is_refused_even_when_one_is_the_appliance()
    {
        var (_, cookie) = fixture.Meetings.Member("two-origins", "Olivia");
        string self = fixture.Daemon.HttpsUri.GetLeftPart(UriPartial.Authority);

        string statusLine = await RawHandshakeAsync(cookie, $"Origin: {self}", "Origin: https://meeting-stealer.example");

        Assert.StartsWith("HTTP/1.1 403", statusLine);
    }

    [Fact]
    public async Task A_websocket_handshake_with_the_appliances_own_origin_is_upgraded()
    {
        var (_, cookie) = fixture.Meetings.Member("one-origin", "Olivia");

        string statusLine = await RawHandshakeAsync(cookie, $"Origin: {fixture.Daemon.HttpsUri.GetLeftPart(UriPartial.Authority)}");

        Assert.StartsWith("HTTP/1.1 101", statusLine);
    }

    [Theory]
    [InlineData("/login")]
    [InlineData("/console")]
    [InlineData("/console/users")]
    [InlineData("/console/token")]
    public async Task Console_pages_are_never_stored_by_a_browser_or_proxy(string path)
    {
        using var admin = await fixture.AdminClientAsync();

        using var page = await admin.GetAsync(path);

        Assert.True(page.IsSuccessStatusCode, $"{path} answered {(int)page.StatusCode}");
        Assert.True(page.Headers.CacheControl?.NoStore, $"{path} has Cache-Control '{page.Headers.CacheControl}'");
    }

    [Fact]
    public async Task Static_assets_are_revalidated_rather_than_forbidden_from_caches()
    {
        using var client = new ConsoleClient(fixture.Daemon.HttpsUri);

        using var script = await client.GetAsync("/js/meeting.js");

        Assert.True(script.IsSuccessStatusCode);
        Assert.True(script.Headers.CacheControl?.NoCache);
        Assert.False(script.Headers.CacheControl?.NoStore);
    }

    [Theory]
    [InlineData("/js/pdfjs/pdf.worker.min.mjs", "text/javascript")]
    [InlineData("/js/pdfjs/cmaps/UniJIS-UCS2-H.bcmap", "application/octet-stream")]
    [InlineData("/js/pdfjs/wasm/jbig2_nowasm_fallback.js", "text/javascript")]
    public async Task The_pdf_viewers_worker_cmaps_and_decoders_are_served_from_the_box(string path, string mediaType)
    {
        using var client = new ConsoleClient(fixture.Daemon.HttpsUri);

        using var asset = await client.GetAsync(path);

        Assert.True(asset.IsSuccessStatusCode, $"{path} answered {(int)asset.StatusCode}");
        Assert.Equal(mediaType, asset.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_chunked_form_larger_than_the_limit_is_refused_without_being_read_whole()
    {
        using var client = await fixture.AdminClientAsync();
        // Four values just under the per-value limit: only the whole body's size can refuse them.
        string value = new('a', 60 * 1024);
        using var content = new StreamContent(new MemoryStream(System.Text.Encoding.ASCII.GetBytes($"a={value}&b={value}&c={value}&d={value}")));
        content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/x-www-form-urlencoded");
        using var request = new HttpRequestMessage(HttpMethod.Post, "/console/users") { Content = content };
        request.Headers.TransferEncodingChunked = true;

        using var response = await client.SendAsync(request);

        Assert.Equal(System.Net.HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    /// <summary>
    /// A WebSocket handshake written by hand: HttpClient and ClientWebSocket fold repeated
    /// headers into one line, and the point here is two separate Origin lines.
    /// </summary>
    private async Task<string> RawHandshakeAsync(string sessionCookie, params string[] extraHeaders)
    {
        var daemon = fixture.Daemon.HttpsUri;
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(daemon.Host, daemon.Port);
        await using var tls = new SslStream(tcp.GetStream(), false, (_, _, _, _) => true);
        await tls.AuthenticateAsClientAsync(new SslClientAuthenticationOptions
        {
            TargetHost = daemon.Host,
            ApplicationProtocols = [SslApplicationProtocol.Http11],
        });
        var request = new StringBuilder()
            .Append("GET /ws HTTP/1.1\r\n")
            .Append($"Host: {daemon.Authority}\r\n")
            .Append("Upgrade: websocket\r\nConnection: Upgrade\r\n")
            .Append($"Sec-WebSocket-Key: {Convert.ToBase64String(new byte[16])}\r\nSec-WebSocket-Version: 13\r\n")
            .Append($"Cookie: {Conclave.Testing.TestMeetings.SessionCookie}={sessionCookie}\r\n");
        foreach (string header in extraHeaders) request.Append(header).Append("\r\n");
        request.Append("\r\n");
        await tls.WriteAsync(Encoding.ASCII.GetBytes(request.ToString()));
        using var reader = new StreamReader(tls, Encoding.ASCII);
        return await reader.ReadLineAsync() ?? "";
    }
}
