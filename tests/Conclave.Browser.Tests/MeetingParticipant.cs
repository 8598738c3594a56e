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
        PageLog.Attach(page);
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

    /// <summary>The security code this browser shows (docs/e2ee.md), or null before its group has an epoch.</summary>
    public Task<string?> SecurityCodeAsync() => Page.EvaluateAsync<string?>("() => window.conclave.securityCode ?? null");

    /// <summary>The names on this browser's roster of verified members.</summary>
    public async Task<IReadOnlyList<string>> RosterAsync() =>
        await Page.EvaluateAsync<string[]>("() => window.conclave.roster.map(m => m.name + ' (' + m.kind + ')')");

    public async Task<IReadOnlyList<ChatLine>> ChatAsync()
    {
        var lines = await Page.EvaluateAsync<JsonElement>("() => window.conclave.chat");
        return lines.EnumerateArray().Select(l => new ChatLine(l.GetProperty("from").GetString()!, l.GetProperty("text").GetString()!)).ToList();
    }

    public async Task SendChatAsync(string text)
    {
        await Page.GetByLabel("Message").FillAsync(text);
        await Page.GetByRole(AriaRole.Button, new() { Name = "Send" }).ClickAsync();
        await Assertions.Expect(Page.GetByLabel("Message")).ToHaveValueAsync("");
    }

    /// <summary>
    /// The SFrame epoch secret of this page's current MLS epoch, read from the page's own group
    /// state (no product code hands it out: only a test driving the page reaches it).
    /// </summary>
    public async Task<EpochSecret> EpochSecretAsync()
    {
        var secret = await Page.EvaluateAsync<JsonElement>("""
            async () => {
              const group = window.conclave.session.group.group;
              const bytes = await group.exportSecret("SFrame 1.0 Base Key", 16);
              return { epoch: group.epoch.toString(), secret: Array.from(bytes), leafCount: group.leafCount, ownLeaf: group.ownLeaf };
            }
            """);
        return new EpochSecret(
            ulong.Parse(secret.GetProperty("epoch").GetString()!),
            secret.GetProperty("secret").EnumerateArray().Select(b => (byte)b.GetInt32()).ToArray(),
            secret.GetProperty("leafCount").GetInt32(),
            secret.GetProperty("ownLeaf").GetInt32());
    }

    /// <summary>The E2EE worker's frame counts for what this page receives, by mid, as JSON.</summary>
    public async Task<JsonElement> ReceiveFrameCountsAsync() =>
        await Page.EvaluateAsync<JsonElement>("() => window.conclave.frameCounts?.receive ?? {}");

    /// <summary>Waits until every one of them shows the same security code, and returns it.</summary>
    public static async Task<string> SameSecurityCodeAsync(IReadOnlyList<MeetingParticipant> participants, string? differentFrom = null)
    {
        try
        {
            var codes = await Eventually.HoldsAsync(
                async () => await Task.WhenAll(participants.Select(p => p.SecurityCodeAsync())),
                codes => codes.All(c => c is not null && c == codes[0] && c != differentFrom),
                TimeSpan.FromSeconds(15),
                $"{string.Join(", ", participants.Select(p => p.Name))} showing one security code{(differentFrom is null ? "" : " other than " + differentFrom)}");
            return codes[0]!;
        }
        catch (Xunit.Sdk.XunitException e)
        {
            var seen = await Task.WhenAll(participants.Select(async p =>
                $"{p.Name}: code {await p.SecurityCodeAsync() ?? "none"}, status \"{await p.Page.Locator("#status").TextContentAsync()}\"{Environment.NewLine}{PageLog.Of(p.Page)}"));
            throw new Xunit.Sdk.XunitException($"{e.Message}{Environment.NewLine}{string.Join(Environment.NewLine, seen)}");
        }
    }

    /// <summary>Waits until <paramref name="receiver"/> has decoded 30 more of <paramref name="sender"/>'s frames.</summary>
    public static async Task FramesKeepComingAsync(MeetingParticipant receiver, MeetingParticipant sender)
    {
        long before = (await receiver.ReceiveStatsAsync())[sender.Id].FramesDecoded;
        await Eventually.HoldsAsync(receiver.ReceiveStatsAsync, s => s[sender.Id].FramesDecoded >= before + 30,
            TimeSpan.FromSeconds(10), $"{receiver.Name} still decoding {sender.Name}'s video");
    }

    public ILocator TileOf(MeetingParticipant other) => Page.Locator($"[data-participant-id=\"{other.Id}\"]");

    public async Task LeaveAsync() => await Page.GetByRole(AriaRole.Button, new() { Name = "Leave" }).ClickAsync();

    public async ValueTask DisposeAsync() => await _context.CloseAsync();
}

internal sealed record ChatLine(string From, string Text);

internal sealed record ReceiveStats(long AudioPacketsReceived, long AudioPacketsLost, long VideoPacketsReceived, long VideoPacketsLost, long FramesDecoded)
{
    /// <summary>What arrived (and went missing) since <paramref name="earlier"/>.</summary>
    public ReceiveStats Since(ReceiveStats earlier) => new(
        AudioPacketsReceived - earlier.AudioPacketsReceived, AudioPacketsLost - earlier.AudioPacketsLost,
        VideoPacketsReceived - earlier.VideoPacketsReceived, VideoPacketsLost - earlier.VideoPacketsLost,
        FramesDecoded - earlier.FramesDecoded);

    public double VideoLossRatio => VideoPacketsReceived + VideoPacketsLost == 0 ? 0 : (double)VideoPacketsLost / (VideoPacketsReceived + VideoPacketsLost);
    public double AudioLossRatio => AudioPacketsReceived + AudioPacketsLost == 0 ? 0 : (double)AudioPacketsLost / (AudioPacketsReceived + AudioPacketsLost);
}

/// <summary>One MLS epoch's SFrame secret as a member's page holds it, for tests that open what the SFU relayed.</summary>
internal sealed record EpochSecret(ulong Epoch, byte[] SFrameEpochSecret, int LeafCount, int OwnLeaf);
