using System.Diagnostics;
using System.Text.Json;
using Conclave.Media.Diagnostics;
using Conclave.Testing;
using Xunit.Abstractions;

namespace Conclave.Browser.Tests;

/// <summary>
/// An independent WebRTC stack in an end-to-end encrypted meeting: GStreamer 1.22's webrtcbin
/// (libnice ICE, OpenSSL DTLS, its own RTP and SRTP, opusenc, vp8dec) meets real Chromium
/// through conclaved. Its MLS membership and SFrame keys are the browser's own code under Node
/// (WebRtcBinMember); webrtcbin itself only ever sees sealed frames on the wire and clear
/// frames in its pipelines. Chromium decodes webrtcbin's tone, webrtcbin decodes Chromium's
/// camera and microphone, and the appliance relays all of it as SFrame.
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class WebRtcBinMediaTests(DaemonFixture fixture, ITestOutputHelper output)
{
    /// <summary>Generous: two shared cores run Chromium, conclaved, webrtcbin and the Node sidecar at once.</summary>
    private static readonly TimeSpan StepTimeout = TimeSpan.FromSeconds(60);
    private const int VideoFramesRequired = 60;
    private const int AudioFramesRequired = 150;
    /// <summary>webrtcbin_participant.py's audiotestsrc.</summary>
    private const double ToneHz = 440;
    private const double MaxConcealedRatio = 0.2;
    private const int SampleRate = 48_000;

    [Fact]
    public async Task A_webrtcbin_participant_and_Chromium_decode_each_others_media_sealed_with_SFrame_under_the_meetings_MLS_group()
    {
        const string room = "webrtcbin-and-chromium";
        string roomId = fixture.Meetings.MeetingId(room);
        var clock = Stopwatch.StartNew();
        void Log(string what) => output.WriteLine($"{clock.ElapsedMilliseconds,6} ms  {what}");

        await using var alice = await fixture.JoinAsync(room, "Alice");
        Log("Chromium (Alice) joined");
        // The member's session, as every browser participant here gets its own.
        var (meetingId, cookie) = fixture.Meetings.Member(room, "GStreamer");
        await using var gst = await WebRtcBinMember.StartAsync(fixture.Daemon.HttpsUri, meetingId, cookie, output);
        try
        {
            Log("webrtcbin member started");
            string gstId = (await gst.ReceiveAsync("joined", _ => true, StepTimeout, "joined")).GetProperty("participantId").GetString()!;
            Log($"webrtcbin member joined as {gstId}");
            var epoch = await gst.ReceiveAsync("epoch", e => e.GetProperty("leafCount").GetInt32() >= 2, StepTimeout, "an epoch with Alice and itself");
            Log($"webrtcbin member in the MLS group: {epoch}");
            await gst.ReceiveAsync("state", s => s.TryGetProperty("dtls", out var dtls) && dtls.GetString() == "connected", StepTimeout, "DTLS connected");
            Log("webrtcbin's DTLS connected");

            var heard = await gst.CountsAsync(c => c.VideoDecoded >= VideoFramesRequired && c.AudioDecoded >= AudioFramesRequired, StepTimeout,
                $"webrtcbin decoding {VideoFramesRequired} VP8 and {AudioFramesRequired} Opus frames of Alice's");
            Log($"webrtcbin decoded Alice's media: {heard}");
            Assert.Matches(@"^[1-9][0-9]*x[1-9][0-9]*$", heard.VideoSize ?? "");
            Assert.Equal(0, heard.OpenDroppedAuthentication);

            var chromium = await Eventually.HoldsAsync(() => InboundAudioAsync(alice, gstId),
                a => a.Decrypted >= AudioFramesRequired && a.TotalSamplesReceived >= 2 * SampleRate, StepTimeout,
                $"Alice decrypting {AudioFramesRequired} and playing 2 s of webrtcbin's audio");
            Log($"Chromium decoded webrtcbin's audio: {chromium}");
            // Over the next stretch: what Chromium played of it was mostly received, not concealed.
            await Task.Delay(TimeSpan.FromSeconds(3));
            var later = await InboundAudioAsync(alice, gstId);
            double concealedRatio = (double)(later.ConcealedSamples - chromium.ConcealedSamples) / (later.TotalSamplesReceived - chromium.TotalSamplesReceived);
            Log($"Chromium over 3 s more: {later}; concealed {concealedRatio:P1}");
            Assert.True(later.TotalSamplesReceived - chromium.TotalSamplesReceived >= 2 * SampleRate, "webrtcbin's audio stopped reaching Chromium");
            Assert.True(concealedRatio < MaxConcealedRatio, $"Chromium concealed {concealedRatio:P1} of webrtcbin's audio");
            Assert.Equal(0, later.DroppedAuthentication);

            double toneHz = SignalMeasures.DominantFrequencyHz(await ToneAsync(alice, gstId), SampleRate, 100, 2_000);
            Log($"the tone Chromium plays from webrtcbin: {toneHz:0.0} Hz");
            Assert.InRange(toneHz, ToneHz - 3, ToneHz + 3);

            // The appliance relayed both ways and dropped nothing as plain media or forged SRTP.
            var stats = (await fixture.Daemon.MediaPlane.GetStatsAsync()).Rooms.Single(r => r.RoomId == roomId);
            var gstPeer = stats.Peers.Single(p => p.PeerId == gstId);
            Log($"appliance: webrtcbin published {gstPeer.AudioPacketsPublished} audio packets, got {gstPeer.PacketsForwardedTo}; " +
                $"room drops: {string.Join(", ", stats.Drops.Where(d => d.Value > 0).Select(d => $"{d.Key} {d.Value}"))}");
            Assert.True(gstPeer.AudioPacketsPublished >= AudioFramesRequired, $"the appliance took {gstPeer.AudioPacketsPublished} audio packets from webrtcbin");
            Assert.Equal(0, stats.Drops.GetValueOrDefault(DropReason.NotSFrame));
            Assert.Equal(0, stats.Drops.GetValueOrDefault(DropReason.SrtpAuthFailed));
            Log($"webrtcbin's last counts: {gst.Counts}");
        }
        catch (Exception)
        {
            output.WriteLine($"webrtcbin member transcript:{Environment.NewLine}{gst.Transcript}");
            output.WriteLine($"Alice's page:{Environment.NewLine}{PageLog.Of(alice.Page)}");
            throw;
        }
    }

    /// <summary>Chromium's inbound-rtp statistics (W3C webrtc-stats) and E2EE worker counts for the sender's microphone.</summary>
    private static async Task<InboundAudio> InboundAudioAsync(MeetingParticipant receiver, string senderId)
    {
        var audio = await receiver.Page.EvaluateAsync<JsonElement>("""
            async (senderId) => {
              const session = window.conclave.session;
              const mid = [...session.tracksByMid].find(([, t]) => t.participantId === senderId && t.source === "microphone")?.[0];
              let inbound;
              (await session.pc.getStats()).forEach((s) => { if (s.type === "inbound-rtp" && s.mid === mid) inbound = s; });
              const worker = window.conclave.frameCounts?.receive?.[mid];
              return {
                totalSamplesReceived: inbound?.totalSamplesReceived ?? 0,
                concealedSamples: inbound?.concealedSamples ?? 0,
                decrypted: worker?.decrypted ?? 0,
                droppedAuthentication: worker?.droppedAuthentication ?? 0,
              };
            }
            """, senderId);
        return new InboundAudio(audio.GetProperty("totalSamplesReceived").GetInt64(), audio.GetProperty("concealedSamples").GetInt64(),
            audio.GetProperty("decrypted").GetInt64(), audio.GetProperty("droppedAuthentication").GetInt64());
    }

    /// <summary>About 0.7 s of what the sender's tile plays, as 16-bit samples at 48 kHz (Web Audio's AnalyserNode).</summary>
    private static async Task<short[]> ToneAsync(MeetingParticipant receiver, string senderId)
    {
        var samples = await receiver.Page.EvaluateAsync<double[]>("""
            async (senderId) => {
              const element = document.querySelector(`[data-participant-id="${senderId}"] audio`);
              const context = new AudioContext({ sampleRate: 48000 });
              await context.resume();
              const analyser = context.createAnalyser();
              analyser.fftSize = 32768;
              context.createMediaStreamSource(element.srcObject).connect(analyser);
              await new Promise((resolve) => setTimeout(resolve, 1500));
              const buffer = new Float32Array(analyser.fftSize);
              analyser.getFloatTimeDomainData(buffer);
              await context.close();
              return Array.from(buffer);
            }
            """, senderId);
        return samples.Select(s => (short)Math.Clamp(s * short.MaxValue, short.MinValue, short.MaxValue)).ToArray();
    }

    private sealed record InboundAudio(long TotalSamplesReceived, long ConcealedSamples, long Decrypted, long DroppedAuthentication);
}
