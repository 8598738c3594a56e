using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Keys;
using Conclave.Meetings.Ports;
using Conclave.Testing;
using Conclave.Web.Ports;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Conclave.Browser.Tests;

/// <summary>
/// Compliance recording end to end (docs/recording.md): three Chromium participants whose fake
/// camera plays a known clip and whose fake microphone plays 440 Hz are recorded while end-to-end
/// encryption stays on; the recording leaves the appliance as a bundle and only the compliance
/// token, through conclavectl, turns it into WebM that matches the source.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class RecordingTests(DaemonFixture fixture, ITestOutputHelper output) : IAsyncLifetime
{
    private const int SourceWidth = 640, SourceHeight = 480, SourceFramesPerSecond = 30, SourceSeconds = 4;
    private const int CompareWidth = 160, CompareHeight = 120;
    private const double ToneHz = 440;
    private static readonly TimeSpan RecordedFor = TimeSpan.FromSeconds(20);

    /// <summary>
    /// An exported frame is compared with every frame of the looping source clip (both scaled to
    /// 160×120 luma) and its best match kept; the median of those must reach this. Measured here:
    /// 0.996–0.997 for what Chromium sent at 640×480 and the export wrote; two frames of the clip
    /// 1.5 s apart score 0.81 and a flat grey picture 0.54 — so above 0.95 a frame decodes intact
    /// and is a frame of the clip, not a neighbour's picture or concealment.
    /// </summary>
    private const double MinMedianSsim = 0.95;

    private readonly string _media = Directory.CreateTempSubdirectory("conclave-recording-media-").FullName;
    private IBrowser _browser = null!;

    private string Clip => Path.Combine(_media, "clip.y4m");
    private string Tone => Path.Combine(_media, "tone.wav");

    public async Task InitializeAsync()
    {
        Ffmpeg.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"testsrc2=size={SourceWidth}x{SourceHeight}:rate={SourceFramesPerSecond}",
            "-t", SourceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-pix_fmt", "yuv420p", Clip).EnsureSuccess();
        Ffmpeg.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", $"sine=frequency={ToneHz}:sample_rate=48000",
            "-t", SourceSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture), "-ac", "1", Tone).EnsureSuccess();
        _browser = await ChromiumBrowser.LaunchAsync(fixture.Playwright, $"--use-file-for-fake-video-capture={Clip}", $"--use-file-for-fake-audio-capture={Tone}");
    }

    [Fact]
    public async Task Three_participants_recorded_for_20_s_export_to_webm_only_with_the_compliance_token_and_it_matches_what_they_sent()
    {
        const string room = "recorded-consultation";
        var (meetingId, hostCookie) = fixture.Meetings.RecordableMeetingHost(room, "Hana Host");
        var hostContext = await MeetingParticipant.NewContextAsync(_browser, fixture.Daemon.HttpsUri, TestMeetings.SessionCookie, hostCookie);
        var hostPage = await hostContext.NewPageAsync();
        PageLog.Attach(hostPage);
        await hostPage.GotoAsync(new Uri(fixture.Daemon.HttpsUri, $"/m/{meetingId}").ToString());
        // Told before Join.
        await Assertions.Expect(hostPage.GetByRole(AriaRole.Note)).ToContainTextAsync("may be recorded for compliance");
        await using var host = await MeetingParticipant.JoinOnPageAsync(hostContext, hostPage, "Hana Host");
        await using var bob = await JoinAsync(room, "Bob");
        await using var carol = await JoinAsync(room, "Carol");
        var everyone = new[] { host, bob, carol };
        string codeBefore = await MeetingParticipant.SameSecurityCodeAsync(everyone);

        await hostPage.GetByRole(AriaRole.Button, new() { Name = "Record" }).ClickAsync();
        foreach (var participant in everyone)
        {
            await Assertions.Expect(participant.Page.Locator("#recording-indicator")).ToContainTextAsync("REC", new() { Timeout = 15_000 });
        }
        // The recording is part of the group context: the code everyone compares changes with it.
        await MeetingParticipant.SameSecurityCodeAsync(everyone, differentFrom: codeBefore);
        string recordingId = await hostPage.EvaluateAsync<string>("() => window.conclave.recording.recordingId");
        var sentBefore = await SentAsync(everyone);
        await bob.SendChatAsync("For the record: the client accepts the plan.");

        await Task.Delay(RecordedFor);

        var sentDuring = (await SentAsync(everyone)).ToDictionary(p => p.Key, p => p.Value.Minus(sentBefore[p.Key]));
        await hostPage.GetByRole(AriaRole.Button, new() { Name = "Stop recording" }).ClickAsync();
        foreach (var participant in everyone)
        {
            await Assertions.Expect(participant.Page.Locator("#recording-indicator")).ToBeHiddenAsync(new() { Timeout = 15_000 });
        }
        var index = fixture.Daemon.App.Services.GetRequiredService<IRecordingIndex>();
        await Eventually.HoldsAsync(() => Task.FromResult(index.Find(recordingId)), r => r?.StoppedAt is not null, TimeSpan.FromSeconds(15), "the recording indexed as stopped");

        // Off the appliance as the console's download does it, then opened with the compliance token only.
        string bundle = Path.Combine(_media, "bundle");
        fixture.Daemon.App.Services.GetRequiredService<IRecordingBundler>().WriteBundle(recordingId, bundle);
        string exported = Path.Combine(_media, "export");
        var wrongPin = Conclavectl.RunWithInput(fixture.StateDirectory, "000000\n", "--dev", "recordings", "export", "--bundle", bundle, "--out", exported);
        Assert.Equal(1, wrongPin.ExitCode);
        Assert.Contains("wrong PIN for token 'conclave-compliance'", wrongPin.Output);
        Assert.DoesNotContain("000000", wrongPin.Output);
        Assert.False(Directory.Exists(exported) && Directory.EnumerateFiles(exported, "*.webm").Any(), "nothing exported without the compliance PIN");
        string pin = File.ReadAllText(fixture.CompliancePinFile);
        var wrongToken = Conclavectl.RunWithInput(fixture.StateDirectory, pin, "--dev", "recordings", "export", "--bundle", bundle, "--out", exported,
            "--compliance-label", "conclave-compliance-elsewhere");
        Assert.Equal(1, wrongToken.ExitCode);
        Assert.Contains("no token labelled 'conclave-compliance-elsewhere'", wrongToken.Output);
        fixture.RunConclavectl(pin, "recordings", "export", "--bundle", bundle, "--out", exported);

        foreach (var participant in everyone)
        {
            string webm = Directory.GetFiles(exported, $"*-{participant.Id}.webm").Single();
            var streams = Ffmpeg.Probe(webm);
            var video = streams.Single(s => s.CodecName == "vp8");
            var audio = streams.Single(s => s.CodecName == "opus");
            var sent = sentDuring[participant.Id];
            Assert.True(video.FramesRead >= 0.9 * sent.VideoFrames, $"{participant.Name}: {video.FramesRead} video frames exported of {sent.VideoFrames} sent while recording");
            Assert.True(audio.FramesRead >= 0.9 * sent.AudioPackets, $"{participant.Name}: {audio.FramesRead} audio frames exported of {sent.AudioPackets} sent while recording");
            Assert.Equal(48_000, audio.SampleRate);
            var decoded = Ffmpeg.DecodeAll(webm);
            Assert.True(decoded.ExitCode == 0 && decoded.StandardError.Length == 0, $"{participant.Name}'s WebM does not decode cleanly: {decoded.StandardError}");

            double medianSsim = MedianBestSsim(webm);
            Assert.True(medianSsim >= MinMedianSsim, $"{participant.Name}'s video matches its source at SSIM {medianSsim:0.000} (median of best matches)");
            var pcm = Ffmpeg.MonoPcm(webm, 48_000);
            double toneHz = SignalMeasures.DominantFrequencyHz(pcm.AsSpan(pcm.Length / 2 - 24_000, 48_000), 48_000, 50, 4_000);
            Assert.InRange(toneHz, ToneHz - 5, ToneHz + 5);
            output.WriteLine($"{participant.Name}: video {video.Width}x{video.Height} {video.FramesRead}/{sent.VideoFrames} frames, audio {audio.FramesRead}/{sent.AudioPackets}, median best SSIM {medianSsim:0.000}, tone {toneHz:0.0} Hz");
        }

        // Chromium plays what was exported.
        string hostWebm = Directory.GetFiles(exported, $"*-{host.Id}.webm").Single();
        Assert.True(await FramesPlayedAsync(hostWebm) >= 10, "Chromium played the exported WebM");

        // The chat line, with its author's signature checked; the manifest signed by the compliance token.
        var chat = File.ReadAllLines(Path.Combine(exported, "chat.jsonl")).Select(line => JsonDocument.Parse(line).RootElement).ToList();
        var line = chat.Single(l => l.GetProperty("text").GetString() == "For the record: the client accepts the plan.");
        Assert.Equal("valid", line.GetProperty("signature").GetString());
        Assert.Equal(bob.Id, line.GetProperty("participantId").GetString());
        AssertManifestSigned(exported);

        // conclaved opened the appliance token and nothing else: the compliance token's PIN never reached it.
        Assert.Equal(["conclave"], Token.OpenLabels);
    }

    private Task<MeetingParticipant> JoinAsync(string room, string name)
    {
        var (meetingId, cookie) = fixture.Meetings.Member(room, name);
        return MeetingParticipant.JoinAsync(_browser, fixture.Daemon.HttpsUri, meetingId, name, TestMeetings.SessionCookie, cookie);
    }

    private sealed record Sent(long VideoFrames, long AudioPackets)
    {
        public Sent Minus(Sent earlier) => new(VideoFrames - earlier.VideoFrames, AudioPackets - earlier.AudioPackets);
    }

    /// <summary>What each participant's browser says it encoded and sent (outbound-rtp statistics).</summary>
    private static async Task<Dictionary<string, Sent>> SentAsync(IEnumerable<MeetingParticipant> participants)
    {
        var sent = new Dictionary<string, Sent>();
        foreach (var participant in participants)
        {
            var stats = await participant.Page.EvaluateAsync<JsonElement>("""
                async () => {
                  let video = 0, audio = 0;
                  (await window.conclave.session.pc.getStats()).forEach(r => {
                    if (r.type === "outbound-rtp" && r.kind === "video") video += r.framesEncoded ?? 0;
                    if (r.type === "outbound-rtp" && r.kind === "audio") audio += r.packetsSent ?? 0;
                  });
                  return { video, audio };
                }
                """);
            sent[participant.Id] = new Sent(stats.GetProperty("video").GetInt64(), stats.GetProperty("audio").GetInt64());
        }
        return sent;
    }

    /// <summary>Every 15th exported frame against the whole source clip: the median of each frame's best SSIM.</summary>
    private double MedianBestSsim(string webm)
    {
        var source = Ffmpeg.LumaFrames(Clip, CompareWidth, CompareHeight);
        var exported = Ffmpeg.LumaFrames(webm, CompareWidth, CompareHeight);
        var best = new List<double>();
        for (int i = 0; i < exported.Count; i += 15)
        {
            best.Add(source.Max(s => SignalMeasures.Ssim(exported[i], s, CompareWidth, CompareHeight)));
        }
        best.Sort();
        return best[best.Count / 2];
    }

    /// <summary>A local page beside the file plays it (a file: page may load a file: video; about:blank may not).</summary>
    private async Task<int> FramesPlayedAsync(string webm)
    {
        string player = Path.Combine(Path.GetDirectoryName(webm)!, "play.html");
        File.WriteAllText(player, $"<video muted src=\"{Path.GetFileName(webm)}\"></video>");
        var context = await _browser.NewContextAsync();
        try
        {
            var page = await context.NewPageAsync();
            await page.GotoAsync(new Uri(player).AbsoluteUri);
            return await page.EvaluateAsync<int>("""
                async () => {
                  const video = document.querySelector("video");
                  let frames = 0;
                  const count = () => { frames++; video.requestVideoFrameCallback(count); };
                  video.requestVideoFrameCallback(count);
                  await video.play();
                  await new Promise(resolve => setTimeout(resolve, 2000));
                  return frames;
                }
                """);
        }
        finally
        {
            await context.CloseAsync();
            File.Delete(player);
        }
    }

    private static void AssertManifestSigned(string exported)
    {
        byte[] manifest = File.ReadAllBytes(Path.Combine(exported, "manifest.json"));
        byte[] signature = File.ReadAllBytes(Path.Combine(exported, "manifest.sig"));
        using var json = JsonDocument.Parse(manifest);
        byte[] signingKey = Convert.FromBase64String(json.RootElement.GetProperty("signingKey").GetProperty("spki").GetString()!);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(signingKey, out _);
        Assert.True(verifier.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence), "the export manifest's signature verifies");
    }

    public async Task DisposeAsync()
    {
        if (_browser is not null) await _browser.DisposeAsync();
        Directory.Delete(_media, recursive: true);
    }
}
