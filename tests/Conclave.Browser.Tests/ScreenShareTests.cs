using System.Text.Json;
using Conclave.Testing;
using Microsoft.Playwright;

namespace Conclave.Browser.Tests;

/// <summary>
/// Screen sharing end to end (docs/content-sharing.md): a participant shares its screen,
/// sealed with SFrame under the screen's own stream context (the appliance drops anything
/// else and closes a peer that keeps sending it), and everyone decodes it on the stage,
/// labelled with the presenter's verified name; one presenter at a time, the host takes over,
/// and sharing again and again does not grow anyone's SDP.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class ScreenShareTests(DaemonFixture fixture)
{
    private const int Cycles = 10;
    /// <summary>An offer may differ by the digits of its session version, SSRCs and msids (docs/content-sharing.md).</summary>
    private const int SdpSlackBytes = 64;
    private static readonly TimeSpan MediaTimeout = TimeSpan.FromSeconds(20);

    [Fact]
    public async Task A_shared_screen_is_decoded_by_the_others_on_the_stage_a_second_share_is_busy_the_host_takes_over_and_ten_more_shares_leave_the_sdp_its_size()
    {
        const string room = "screen-share";
        var (meetingId, hostCookie) = fixture.Meetings.RecordableMeetingHost(room, "Hana Host");
        var hostContext = await MeetingParticipant.NewContextAsync(fixture.Browser, fixture.Daemon.HttpsUri, TestMeetings.SessionCookie, hostCookie);
        var hostPage = await hostContext.NewPageAsync();
        PageLog.Attach(hostPage);
        await hostPage.GotoAsync(new Uri(fixture.Daemon.HttpsUri, $"/m/{meetingId}").ToString());
        await using var host = await MeetingParticipant.JoinOnPageAsync(hostContext, hostPage, "Hana Host");
        await using var alice = await fixture.JoinAsync(room, "Alice");
        await using var bob = await fixture.JoinAsync(room, "Bob");
        var everyone = new[] { host, alice, bob };
        await MeetingParticipant.SameSecurityCodeAsync(everyone);
        // The screen's section in the first offer must not cost anyone the cameras.
        foreach (var viewer in everyone)
        {
            await Eventually.HoldsAsync(async () => (await viewer.ReceiveStatsAsync(), (await viewer.ReceiveFrameCountsAsync()).ToString()),
                seen => everyone.Where(p => p != viewer).All(p => seen.Item1.TryGetValue(p.Id, out var r) && r.FramesDecoded > 10),
                MediaTimeout, $"{viewer.Name} decoding the others' cameras");
        }

        // Alice shares: Hana and Bob decode her screen at the size she captures, on the stage under her verified name.
        await ShareAsync(alice);
        int capturedWidth = await alice.Page.EvaluateAsync<int>("() => document.querySelector('#stage-video').srcObject.getVideoTracks()[0].getSettings().width");
        foreach (var viewer in new[] { host, bob })
        {
            var screen = await DecodesScreenAsync(viewer, alice);
            Assert.Equal(capturedWidth, screen.FrameWidth);
            await Assertions.Expect(viewer.Page.Locator("#stage-caption")).ToHaveTextAsync("Alice is presenting");
        }
        await Assertions.Expect(alice.Page.Locator("#stage-caption")).ToHaveTextAsync("You are presenting");
        Assert.True(await alice.Page.EvaluateAsync<int>("() => window.conclave.frameCounts?.send?.screen?.encrypted ?? 0") > 0);
        await bob.Page.ScreenshotAsync(new() { Path = Artifacts.Path("screen-share-stage.png") });

        // Alice points something out on her screen: Hana and Bob see her stroke over it.
        await alice.Page.ClickAsync("#stage-draw");
        var box = (await alice.Page.Locator("#stage-ink").BoundingBoxAsync())!;
        await alice.Page.Mouse.MoveAsync(box.X + box.Width * 0.4f, box.Y + box.Height * 0.4f);
        await alice.Page.Mouse.DownAsync();
        for (int step = 1; step <= 8; step++) await alice.Page.Mouse.MoveAsync(box.X + box.Width * (0.4f + 0.03f * step), box.Y + box.Height * 0.5f);
        await alice.Page.Mouse.UpAsync();
        foreach (var viewer in new[] { host, bob })
        {
            await viewer.Page.WaitForFunctionAsync("() => window.conclave.content?.screenStrokeIds.length === 1", null, new() { Timeout = 10_000 });
            Assert.True(await viewer.Page.EvaluateAsync<int>(@"() => {
                const ink = document.querySelector('#stage-ink');
                const data = ink.getContext('2d').getImageData(0, 0, ink.width, ink.height).data;
                let inked = 0;
                for (let i = 3; i < data.length; i += 4) if (data[i] > 0) inked++;
                return inked;
            }") > 0, $"{viewer.Name} shows no ink over the screen");
        }

        // Bob is not the host: his share is refused and Alice goes on presenting.
        await StartScreenShareAsync(bob);
        await Assertions.Expect(bob.Page.Locator("#status")).ToHaveAttributeAsync("data-code", "share-busy");
        await Assertions.Expect(bob.Page.Locator("#status")).ToContainTextAsync("Not shared: someone else is presenting");
        await Assertions.Expect(bob.Page.GetByRole(AriaRole.Button, new() { Name = "Share screen" })).ToBeVisibleAsync();
        Assert.Equal(alice.Id, await PresenterAsync(host));
        await DecodesScreenAsync(bob, alice);

        // Hana is the host: she takes over, Alice's share ends, and the others decode Hana's screen.
        await ShareAsync(host);
        await Assertions.Expect(alice.Page.GetByRole(AriaRole.Button, new() { Name = "Share screen" })).ToBeVisibleAsync();
        foreach (var viewer in new[] { alice, bob })
        {
            await DecodesScreenAsync(viewer, host);
            await Assertions.Expect(viewer.Page.Locator("#stage-caption")).ToHaveTextAsync("Hana Host is presenting");
        }
        await StopSharingAsync(host, everyone);

        // One share and stop by Alice sets the size; ten more leave every offer that size.
        await ShareAsync(alice);
        await DecodesScreenAsync(bob, alice);
        await StopSharingAsync(alice, everyone);
        var sizes = await Task.WhenAll(everyone.Select(LastOfferSdpLengthAsync));
        for (int cycle = 0; cycle < Cycles; cycle++)
        {
            await ShareAsync(alice);
            await DecodesScreenAsync(bob, alice, frames: 3);
            await StopSharingAsync(alice, everyone);
        }
        var after = await Task.WhenAll(everyone.Select(LastOfferSdpLengthAsync));
        for (int i = 0; i < everyone.Length; i++)
        {
            Assert.True(Math.Abs(after[i] - sizes[i]) <= SdpSlackBytes,
                $"{everyone[i].Name}'s offer was {sizes[i]} bytes after the first share and {after[i]} after {Cycles} more");
        }
        await ShareAsync(alice);
        await DecodesScreenAsync(host, alice);
        await DecodesScreenAsync(bob, alice);
        Assert.Null(await alice.Page.Locator("#status").GetAttributeAsync("data-code"));
    }

    /// <summary>Shares the screen (the fake UI picks the fake monitor) and waits until the appliance names the presenter.</summary>
    private static async Task ShareAsync(MeetingParticipant presenter)
    {
        await StartScreenShareAsync(presenter);
        await Assertions.Expect(presenter.Page.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" })).ToBeVisibleAsync();
        await Eventually.HoldsAsync(() => PresenterAsync(presenter), id => id == presenter.Id, MediaTimeout, $"{presenter.Name} presenting");
    }

    /// <summary>
    /// Presses "Stop sharing" and waits until everyone's stage is empty and every browser has
    /// answered an offer without the screen, so the next share may reuse its sections.
    /// </summary>
    private static async Task StopSharingAsync(MeetingParticipant presenter, IReadOnlyList<MeetingParticipant> everyone)
    {
        await presenter.Page.GetByRole(AriaRole.Button, new() { Name = "Stop sharing" }).ClickAsync();
        foreach (var participant in everyone)
        {
            await Assertions.Expect(participant.Page.Locator("#stage")).ToBeHiddenAsync();
            await participant.Page.WaitForFunctionAsync("""
                () => { const pc = window.conclave.session.pc;
                        return pc.signalingState === "stable" && !/ [0-9a-f]+-screen\r\n/.test(pc.remoteDescription.sdp)
                          && pc.getTransceivers().every(t => t.mid !== "2" || t.currentDirection === "inactive"); }
                """, null, new() { Timeout = 10_000 });
        }
    }

    /// <summary>
    /// Starts a share as the "Share screen" button does. Not by clicking it: headless Chromium
    /// 156 left getDisplayMedia pending when called with a click's user activation (measured),
    /// and answered at once without one.
    /// </summary>
    private static Task StartScreenShareAsync(MeetingParticipant participant) =>
        participant.Page.EvaluateAsync("() => window.conclave.session.startScreenShare()");

    private static Task<string?> PresenterAsync(MeetingParticipant participant) =>
        participant.Page.EvaluateAsync<string?>("() => window.conclave.presenterId");

    private static Task<int> LastOfferSdpLengthAsync(MeetingParticipant participant) =>
        participant.Page.EvaluateAsync<int>("() => window.conclave.session.offerSdpLengths.at(-1)");

    /// <summary>Waits until <paramref name="viewer"/> has decoded <paramref name="frames"/> more frames of <paramref name="presenter"/>'s screen.</summary>
    private static async Task<ScreenStats> DecodesScreenAsync(MeetingParticipant viewer, MeetingParticipant presenter, int frames = 10)
    {
        long before = (await ScreenStatsAsync(viewer, presenter)).FramesDecoded;
        return await Eventually.HoldsAsync(() => ScreenStatsAsync(viewer, presenter), s => s.FramesDecoded >= before + frames && s.FrameWidth > 0,
            MediaTimeout, $"{viewer.Name} decoding {presenter.Name}'s screen");
    }

    private static async Task<ScreenStats> ScreenStatsAsync(MeetingParticipant viewer, MeetingParticipant presenter)
    {
        var screen = await viewer.Page.EvaluateAsync<JsonElement?>(
            "async id => (await window.conclave.session.receiveStats())[id]?.screen ?? null", presenter.Id);
        // What the E2EE worker did with each mid's frames: what a failure needs to say.
        string worker = (await viewer.ReceiveFrameCountsAsync()).ToString();
        return screen is { } s
            ? new ScreenStats(s.GetProperty("packetsReceived").GetInt64(), s.GetProperty("framesDecoded").GetInt64(), s.GetProperty("frameWidth").GetInt32(), worker)
            : new ScreenStats(0, 0, 0, worker);
    }

    private sealed record ScreenStats(long PacketsReceived, long FramesDecoded, int FrameWidth, string WorkerCounts);
}
