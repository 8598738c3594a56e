using System.Diagnostics;
using System.Net;
using Conclave.Crypto.Audit;
using Conclave.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit.Abstractions;

namespace Conclave.Daemon.Tests;

/// <summary>
/// A stranger who sends nothing but refused requests, as fast as one client can, beside
/// members joining a meeting: what the audit log grows by and what the joins cost
/// (docs/threat-model.md, "A stranger on the network"). Writes what was measured to the output.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
public sealed class AuditFloodTests(InProcessDaemon fixture, ITestOutputHelper output)
{
    private const int FloodConnections = 8;
    private const int Joins = 20;

    private string LogPath => Path.Combine(fixture.StateDirectory, "audit.log");

    /// <param name="refusalsPerSecond">
    /// The flood's pace, 0 for as fast as the refusals are answered. 1,000 a second is a flood
    /// that a log flushing every record to this disk could still keep up with, so that the figures
    /// compare like with like (README, "A hostile participant, measured").
    /// </param>
    [Theory]
    [InlineData(1_000)]
    [InlineData(0)]
    public async Task A_flood_of_refused_requests_from_one_address_writes_one_record_at_once_and_the_rest_when_the_minute_ends(int refusalsPerSecond)
    {
        var flooder = ConsoleClient.NewLoopbackSource();
        await JoinTimesAsync("audit-flood-warm-up", 3);
        var quiet = await JoinTimesAsync("audit-flood-quiet", Joins);

        long logBefore = new FileInfo(LogPath).Length;
        using var stop = new CancellationTokenSource();
        var clock = Stopwatch.StartNew();
        var pause = refusalsPerSecond == 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)FloodConnections / refusalsPerSecond);
        var flood = Enumerable.Range(0, FloodConnections).Select(_ => FloodAsync(flooder, pause, stop.Token)).ToArray();
        await Task.Delay(1_000);
        var loud = await JoinTimesAsync("audit-flood-loud", Joins);
        await Task.Delay(Math.Max(0, 5_000 - (int)clock.ElapsedMilliseconds));
        stop.Cancel();
        long refusals = (await Task.WhenAll(flood)).Sum();
        double seconds = clock.Elapsed.TotalSeconds;

        Assert.True(await fixture.Daemon.App.Services.GetRequiredService<AuditLog>().FlushAsync());
        string actor = $"anonymous@{flooder}";
        var written = AuditReader.Read(LogPath).Where(r => r.Actor == actor).ToList();
        long recordBytes = File.ReadLines(LogPath).Where(l => l.Contains($"\"actor\":\"{actor}\"", StringComparison.Ordinal)).Sum(l => (long)l.Length + 1);
        long logGrowth = new FileInfo(LogPath).Length - logBefore;
        output.WriteLine($"pace {(refusalsPerSecond == 0 ? "as fast as answered" : $"{refusalsPerSecond}/s")}: {refusals} refused requests in {seconds:F1} s ({refusals / seconds:F0}/s) from {FloodConnections} connections: " +
            $"{written.Count} records by the flooder, {recordBytes} bytes ({recordBytes / seconds * 3600 / 1e6:F1} MB/hour at this rate); log grew {logGrowth} bytes");
        output.WriteLine($"join (connect, join, joined): quiet median {Median(quiet):F1} ms, p90 {Percentile(quiet, 0.9):F1} ms; " +
            $"during the flood median {Median(loud):F1} ms, p90 {Percentile(loud, 0.9):F1} ms ({Median(loud) / Median(quiet):F1}×)");

        Assert.True(refusals > 1_000, $"the flood sent too little to judge: {refusals} requests");
        // The first refusal, at once; the rest are counted into one record when the minute ends.
        var first = Assert.Single(written);
        Assert.Equal("refused: not logged in", first.Outcome);
    }

    /// <summary>
    /// Refused console requests with long, different paths, one after another on one connection,
    /// one per <paramref name="pause"/> at most, until stopped; how many were answered.
    /// </summary>
    private async Task<long> FloodAsync(IPAddress from, TimeSpan pause, CancellationToken stop)
    {
        using var client = new ConsoleClient(fixture.Daemon.HttpsUri, from);
        var random = new Random();
        var clock = Stopwatch.StartNew();
        long answered = 0;
        while (!stop.IsCancellationRequested)
        {
            var due = pause * answered - clock.Elapsed;
            if (due > TimeSpan.Zero) await Task.Delay(due);
            string path = "/console/meetings/" + string.Create(1_000, random, (span, r) => { for (int i = 0; i < span.Length; i++) span[i] = (char)('a' + r.Next(26)); });
            using var response = await client.GetAsync(path);
            if (response.StatusCode != HttpStatusCode.Redirect) throw new Xunit.Sdk.XunitException($"the flood got {(int)response.StatusCode}");
            answered++;
        }
        return answered;
    }

    /// <summary>How long each of <paramref name="count"/> members takes from opening the socket to being told they joined, in ms.</summary>
    private async Task<List<double>> JoinTimesAsync(string room, int count)
    {
        var times = new List<double>();
        for (int i = 0; i < count; i++)
        {
            var (meetingId, cookie) = fixture.Meetings.Member(room, $"Member {i}");
            var watch = Stopwatch.StartNew();
            await using var member = await SignallingClient.ConnectAsync(fixture.Daemon.HttpsUri, cookie);
            await member.SendJsonAsync(JoinMessages.For(meetingId));
            await member.ReceiveTypeAsync("joined");
            times.Add(watch.Elapsed.TotalMilliseconds);
        }
        return times;
    }

    private static double Median(List<double> times) => Percentile(times, 0.5);

    private static double Percentile(List<double> times, double fraction)
    {
        var sorted = times.Order().ToList();
        return sorted[(int)Math.Min(sorted.Count - 1, Math.Floor(fraction * sorted.Count))];
    }
}
