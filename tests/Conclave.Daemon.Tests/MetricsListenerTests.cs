using System.Globalization;
using System.Net;
using Conclave.Daemon.Tests.Participants;
using Conclave.Testing;
using Conclave.Media.Sdp;

namespace Conclave.Daemon.Tests;

/// <summary>
/// The media counters on the loopback metrics listener (Conclave:Metrics): what a load tool
/// cross-checks its own counts against, so they must agree with what a participant received.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class MetricsListenerTests(InProcessDaemon fixture)
{
    private static readonly HttpClient Http = new();

    [Fact]
    public async Task The_room_counts_every_packet_its_subscriber_received_and_keeps_them_after_it_leaves()
    {
        const string room = "metrics-counted";
        var (meetingId, publisherCookie) = fixture.Meetings.Member(room, "Publisher");
        var (_, subscriberCookie) = fixture.Meetings.Member(room, "Subscriber");
        fixture.Daemon.MediaPlane.SetRoomEpoch(meetingId, 0); // scripted participants run no MLS
        await using var publisher = await ScriptedParticipant.JoinAsync(fixture.Daemon.HttpsUri, meetingId, publisherCookie,
            new ParticipantOptions { DisplayName = "Publisher", AudioSsrc = 0x6E70_0001, VideoSsrc = 0x6E70_0002, RtxSsrc = 0x6E70_0003 });
        await using var subscriber = await ScriptedParticipant.JoinAsync(fixture.Daemon.HttpsUri, meetingId, subscriberCookie,
            new ParticipantOptions { DisplayName = "Subscriber" });
        publisher.StartPublishing();
        uint video = subscriber.ForwardedSsrc(publisher, MediaKind.Video), audio = subscriber.ForwardedSsrc(publisher, MediaKind.Audio);
        await subscriber.WaitForAsync(() => subscriber.Received.Count(video) >= 30 && subscriber.Received.Count(audio) >= 50, "the publisher's media");
        await publisher.StopPublishingAsync();
        await Task.Delay(500); // what is in flight lands

        long received = subscriber.Received.Count(video) + subscriber.Received.Count(audio) + subscriber.Received.RtxPackets;
        var counted = await ScrapeAsync();
        Assert.Equal(received, counted.Sample("conclave_rtp_forwarded_packets_total", meetingId));
        Assert.Equal(publisher.Sent().Count, counted.Sample("conclave_rtp_published_packets_total", meetingId));
        Assert.Equal(2, counted.Sample("conclave_room_peers", meetingId));

        await subscriber.LeaveAsync();
        await Task.Delay(200);
        var afterLeaving = await ScrapeAsync();
        Assert.Equal(1, afterLeaving.Sample("conclave_room_peers", meetingId));
        Assert.Equal(received, afterLeaving.Sample("conclave_rtp_forwarded_packets_total", meetingId));
    }

    [Fact]
    public async Task Only_the_metrics_text_is_served_on_the_metrics_listener_and_it_is_not_served_over_https()
    {
        using var text = await Http.GetAsync(fixture.MetricsUri);
        Assert.Equal(HttpStatusCode.OK, text.StatusCode);
        Assert.Equal("text/plain; version=0.0.4; charset=utf-8", text.Content.Headers.ContentType!.ToString());
        Assert.Contains("# TYPE conclave_rtp_forwarded_packets_total counter\n", await text.Content.ReadAsStringAsync());

        using var console = await Http.GetAsync(new Uri(fixture.MetricsUri, "/console"));
        Assert.Equal(HttpStatusCode.NotFound, console.StatusCode);
        using var posted = await Http.PostAsync(fixture.MetricsUri, new StringContent(""));
        Assert.Equal(HttpStatusCode.NotFound, posted.StatusCode);
        using var overHttps = await new ConsoleClient(fixture.Daemon.HttpsUri).GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, overHttps.StatusCode);
    }

    private async Task<Scrape> ScrapeAsync() => new(await Http.GetStringAsync(fixture.MetricsUri));

    /// <summary>One scrape of the text format: <c>name{room="…"} value</c> lines.</summary>
    private sealed class Scrape(string text)
    {
        public long Sample(string name, string room)
        {
            string prefix = $"{name}{{room=\"{room}\"}} ";
            var line = text.Split('\n').SingleOrDefault(l => l.StartsWith(prefix, StringComparison.Ordinal))
                ?? throw new Xunit.Sdk.XunitException($"no {prefix.Trim()} in:\n{text}");
            return long.Parse(line[prefix.Length..], CultureInfo.InvariantCulture);
        }
    }
}
