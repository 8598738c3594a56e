using System.Text.Json;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>One person in a meeting: a browser context with the meeting page open.</summary>
internal sealed class MeetingParticipant : IAsyncDisposable
{
    private readonly IBrowserContext _context;

    private MeetingParticipant(IBrowserContext context, IPage page, string name, string id)
    {
        _context = context;
        Page = page;
        Name = name;
        Id = id;
    }

    public IPage Page { get; }
    public string Name { get; }
    public string Id { get; }

    /// <summary>A browser context holding the cookie that says who this is (a console session or a guest pass).</summary>
    public static async Task<IBrowserContext> NewContextAsync(IBrowser browser, Uri daemon, string? cookieName = null, string? cookieValue = null)
    {
        var context = await browser.NewContextAsync(new BrowserNewContextOptions
        {
            IgnoreHTTPSErrors = true, // the development certificate is self-signed (README)
            ViewportSize = new ViewportSize { Width = 1024, Height = 768 },
        });
        if (cookieName is not null)
        {
            await context.AddCookiesAsync([new Cookie
            {
                Name = cookieName, Value = cookieValue!, Url = daemon.GetLeftPart(UriPartial.Authority) + "/",
                Secure = true, HttpOnly = true, SameSite = SameSiteAttribute.Strict,
            }]);
        }
        return context;
    }

    public static async Task<MeetingParticipant> JoinAsync(IBrowser browser, Uri daemon, string meetingId, string name, string cookieName, string cookieValue)
    {
        var context = await NewContextAsync(browser, daemon, cookieName, cookieValue);
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(daemon, $"/m/{meetingId}").ToString());
        return await JoinOnPageAsync(context, page, name);
    }

    /// <summary>Presses Join on an open meeting page and waits until the appliance let this person in.</summary>
    public static async Task<MeetingParticipant> JoinOnPageAsync(IBrowserContext context, IPage page, string name, float timeoutMs = 15_000)
    {
        await Assertions.Expect(page.GetByText($"You join as {name}")).ToBeVisibleAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = "Join" }).ClickAsync();
        await page.WaitForFunctionAsync("() => window.conclave?.selfId !== undefined", null, new() { Timeout = timeoutMs });
        return await OnPageAsync(context, page, name);
    }

    /// <summary>Someone already in the meeting on <paramref name="page"/> (a guest the host admitted).</summary>
    public static async Task<MeetingParticipant> OnPageAsync(IBrowserContext context, IPage page, string name)
    {
        string id = await page.EvaluateAsync<string>("() => window.conclave.selfId");
        return new MeetingParticipant(context, page, name, id);
    }

    /// <summary>inbound-rtp statistics per remote participant id.</summary>
    public async Task<IReadOnlyDictionary<string, ReceiveStats>> ReceiveStatsAsync()
    {
        string text = await Page.EvaluateAsync<string>("async () => JSON.stringify(await window.conclave.session.receiveStats())");
        var json = JsonDocument.Parse(text).RootElement;
        var result = new Dictionary<string, ReceiveStats>();
        foreach (var participant in json.EnumerateObject())
        {
            var audio = participant.Value.GetProperty("audio");
            var video = participant.Value.GetProperty("video");
            result[participant.Name] = new ReceiveStats(
                audio.GetProperty("packetsReceived").GetInt64(), audio.GetProperty("packetsLost").GetInt64(),
                video.GetProperty("packetsReceived").GetInt64(), video.GetProperty("packetsLost").GetInt64(),
                video.GetProperty("framesDecoded").GetInt64());
        }
        return result;
    }

    public ILocator TileOf(MeetingParticipant other) => Page.Locator($"[data-participant-id=\"{other.Id}\"]");

    public async Task LeaveAsync() => await Page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

internal sealed record ReceiveStats(long AudioPacketsReceived, long AudioPacketsLost, long VideoPacketsReceived, long VideoPacketsLost, long FramesDecoded)
{
    public double VideoLossRatio => VideoPacketsReceived + VideoPacketsLost == 0 ? 0 : (double)VideoPacketsLost / (VideoPacketsReceived + VideoPacketsLost);
    public double AudioLossRatio => AudioPacketsReceived + AudioPacketsLost == 0 ? 0 : (double)AudioPacketsLost / (AudioPacketsReceived + AudioPacketsLost);
}
