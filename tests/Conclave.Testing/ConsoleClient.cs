using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;

namespace Conclave.Testing;

/// <summary>A browser-like HTTPS client for the console: keeps cookies, never follows redirects, finds form tokens.</summary>
public sealed partial class ConsoleClient : IDisposable
{
    private readonly HttpClient _http;

    /// <param name="from">The loopback address to connect from (each 127.x.y.z is a source network of its own), or any.</param>
    public ConsoleClient(Uri daemon, IPAddress? from = null)
    {
        Cookies = new CookieContainer();
        var handler = new SocketsHttpHandler
        {
            CookieContainer = Cookies,
            AllowAutoRedirect = false,
            // The development certificate chains to the appliance's own CA (README).
            SslOptions = { RemoteCertificateValidationCallback = (_, _, _, _) => true },
        };
        if (from is not null) handler.ConnectCallback = (context, cancel) => ConnectFromAsync(from, context.DnsEndPoint, cancel);
        _http = new HttpClient(handler) { BaseAddress = daemon };
    }

    private static async ValueTask<Stream> ConnectFromAsync(IPAddress from, DnsEndPoint to, CancellationToken cancel)
    {
        var socket = new Socket(from.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            socket.Bind(new IPEndPoint(from, 0));
            await socket.ConnectAsync(to, cancel);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>A loopback address no other client of this test run connects from: a source network of its own.</summary>
    public static IPAddress NewLoopbackSource()
    {
        int n = Interlocked.Increment(ref _loopbackSources);
        return new IPAddress([127, 0, (byte)(1 + n / 250), (byte)(1 + n % 250)]);
    }

    private static int _loopbackSources;

    public CookieContainer Cookies { get; }

    public string? Cookie(string name) => Cookies.GetAllCookies().FirstOrDefault(c => c.Name == name)?.Value;

    public void SetCookie(string name, string value) => Cookies.Add(_http.BaseAddress!, new System.Net.Cookie(name, value, "/") { Secure = true, HttpOnly = true });

    public Task<HttpResponseMessage> GetAsync(string path) => _http.GetAsync(path);

    public Task<HttpResponseMessage> SendAsync(HttpRequestMessage request) => _http.SendAsync(request);

    public Task<HttpResponseMessage> PostAsync(string path, params (string Name, string Value)[] fields) =>
        _http.PostAsync(path, new FormUrlEncodedContent(fields.Select(f => new KeyValuePair<string, string>(f.Name, f.Value))));

    /// <summary>GETs the page that holds a form and posts the form with the page's CSRF token.</summary>
    public async Task<HttpResponseMessage> SubmitAsync(string pagePath, string action, params (string Name, string Value)[] fields)
    {
        string page = await (await GetAsync(pagePath)).Content.ReadAsStringAsync();
        return await SubmitFromAsync(page, action, fields);
    }

    /// <summary>Posts a form of a page already fetched (a page that changes on every GET, like TOTP enrolment).</summary>
    public Task<HttpResponseMessage> SubmitFromAsync(string page, string action, params (string Name, string Value)[] fields)
    {
        var token = CsrfField().Match(page);
        if (!token.Success) throw new InvalidOperationException($"the page posting to {action} has no form token");
        return PostAsync(action, [("_csrf", WebUtility.HtmlDecode(token.Groups[1].Value)), .. fields]);
    }

    /// <summary>
    /// Creates the first admin through the one-time setup link and enrols TOTP, as a person would; this client stays logged in.
    /// Returns the enrolled TOTP secret, for the admin's later logins.
    /// </summary>
    public async Task<byte[]> CreateFirstAdminAsync(Uri setupLink, string userName, string password)
    {
        string token = System.Web.HttpUtility.ParseQueryString(setupLink.Query)["token"]!;
        var created = await SubmitAsync(setupLink.PathAndQuery, "/setup", ("token", token), ("username", userName), ("display_name", "First Admin"), ("password", password));
        if (created.Headers.Location?.OriginalString != "/console/enrol") throw new InvalidOperationException($"setup answered {(int)created.StatusCode}");
        string page = await (await GetAsync("/console/enrol")).Content.ReadAsStringAsync();
        byte[] secret = OtpNet.Base32Encoding.ToBytes(TotpSecret().Match(page).Groups[1].Value);
        string code = new Conclave.Meetings.Accounts.TotpAuthenticator(TimeProvider.System).CodeAt(secret, DateTimeOffset.UtcNow);
        var enrolled = await SubmitFromAsync(page, "/console/enrol", ("password", password), ("code", code));
        if (enrolled.Headers.Location?.OriginalString != "/console") throw new InvalidOperationException($"TOTP enrolment answered {(int)enrolled.StatusCode}");
        return secret;
    }

    [GeneratedRegex("id=\"totp-secret\"[^>]*>([A-Z2-7]+)<")]
    private static partial Regex TotpSecret();

    public async Task LoginAsync(string userName, string password, string code = "")
    {
        var response = await SubmitAsync("/login", "/login", ("username", userName), ("password", password), ("code", code), ("return", "/console"));
        if (response.StatusCode != HttpStatusCode.Redirect) throw new InvalidOperationException($"login of {userName} answered {(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
    }

    [GeneratedRegex("name=\"_csrf\" value=\"([^\"]+)\"")]
    private static partial Regex CsrfField();

    public void Dispose() => _http.Dispose();
}
