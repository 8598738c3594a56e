using System.Diagnostics;
using System.Globalization;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Scheduling;
using Conclave.Storage;
using Conclave.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Playwright;
using Xunit.Abstractions;

namespace Conclave.Browser.Tests;

/// <summary>
/// A recording survives conclaved being killed mid-meeting (SIGKILL: no handler runs): what was
/// sealed before the kill — all but the last two seconds at most — is recovered at the next
/// start and exports (docs/recording.md, "Crash recovery").
/// </summary>
[Collection(DaemonCollection.Name)]
public sealed class RecordingCrashTests(DaemonFixture fixture, ITestOutputHelper output)
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan RecordedBeforeKill = TimeSpan.FromSeconds(10);

    /// <summary>A segment covers 2 s; the last frames before it may wait for their key frame's group to be whole.</summary>
    private static readonly TimeSpan MaxLoss = TimeSpan.FromSeconds(2) + TimeSpan.FromMilliseconds(500);

    [Fact]
    public async Task Killing_conclaved_mid_recording_loses_at_most_the_last_two_seconds_and_the_rest_exports()
    {
        // Its own token copy (a process logs in to a token once), with the escrow keys the fixture registered.
        string state = DevelopmentTokenState.NewStateDirectoryWithOwnTokenCopy();
        string media = Directory.CreateTempSubdirectory("conclave-crash-").FullName;
        var conclaved = await ConclavedChild.StartAsync(state);
        try
        {
            string meetingId = CreateRecordableMeeting(state, out string host, out string member);
            await using var hana = await LogInAndJoinAsync(conclaved.HttpsUri, meetingId, host, "Hana Host");
            await using var bob = await LogInAndJoinAsync(conclaved.HttpsUri, meetingId, member, "Bob Member");
            await MeetingParticipant.SameSecurityCodeAsync([hana, bob]);

            await hana.Page.GetByRole(AriaRole.Button, new() { Name = "Record" }).ClickAsync();
            foreach (var participant in new[] { hana, bob })
            {
                await Assertions.Expect(participant.Page.Locator("#recording-indicator")).ToContainTextAsync("REC", new() { Timeout = 15_000 });
            }
            var recording = Stopwatch.StartNew();
            string recordingId = await hana.Page.EvaluateAsync<string>("() => window.conclave.recording.recordingId");
            await Task.Delay(RecordedBeforeKill);
            await conclaved.KillAsync();
            var recordedFor = recording.Elapsed;

            // The next start recovers the recording; stopping conclaved lets conclavectl take the state lock.
            await using (var restarted = await ConclavedChild.StartAsync(state))
            {
                await restarted.StopAsync();
            }
            var recovered = OpenDatabase(state).Recordings.Find(recordingId);
            Assert.Equal("recovered-after-crash", recovered?.EndedBy);
            Assert.Equal(32, recovered!.ManifestSha256?.Length);

            string bundle = Path.Combine(media, "bundle"), exported = Path.Combine(media, "export");
            var bundled = Conclavectl.Run(state, "--dev", "recordings", "bundle", recordingId, "--out", bundle);
            Assert.True(bundled.ExitCode == 0, bundled.Output);
            fixture.RunConclavectl(File.ReadAllText(fixture.CompliancePinFile), "recordings", "export", "--bundle", bundle, "--out", exported);

            foreach (var participant in new[] { hana, bob })
            {
                string webm = Directory.GetFiles(exported, $"*-{participant.Id}.webm").Single();
                var duration = VideoDuration(webm);
                output.WriteLine($"{participant.Name}: {duration.TotalSeconds:0.00} s of video exported of {recordedFor.TotalSeconds:0.00} s recorded before SIGKILL");
                Assert.True(duration >= recordedFor - MaxLoss,
                    $"{participant.Name}: {duration.TotalSeconds:0.0} s of video exported of {recordedFor.TotalSeconds:0.0} s recorded before the kill");
                Assert.Equal(0, Ffmpeg.DecodeAll(webm).ExitCode);
            }
        }
        finally
        {
            await conclaved.DisposeAsync();
            SqliteConnection.ClearAllPools();
            Directory.Delete(state, recursive: true);
            Directory.Delete(media, recursive: true);
        }
    }

    private static ApplianceDatabase OpenDatabase(string state) => ApplianceDatabase.Open(Path.Combine(state, ApplianceDatabase.FileName));

    /// <summary>A recordable meeting open now, its host and a member on its roster, straight into the database conclaved uses (WAL: safe beside it).</summary>
    private static string CreateRecordableMeeting(string state, out string hostUserName, out string memberUserName)
    {
        var database = OpenDatabase(state);
        string hash = new PasswordHasher(Argon2Parameters.Default).Hash(Password);
        var now = DateTimeOffset.UtcNow;
        Account NewAccount(string displayName, Role roles) => database.Accounts.Create(new Account(0, $"u{Guid.NewGuid():N}"[..16], displayName, roles, false, hash,
            null, null, 0, 0, null, null, now));
        var host = NewAccount("Hana Host", Role.Host);
        var member = NewAccount("Bob Member", Role.Member);
        var meeting = new Meeting(Guid.NewGuid().ToString("N")[..12], "Crash consultation", host.Id, now.AddMinutes(-1), now.AddHours(1), false, false, null, now,
            Recordable: true);
        database.Meetings.Create(meeting, [member.Id]);
        hostUserName = host.UserName;
        memberUserName = member.UserName;
        return meeting.Id;
    }

    /// <summary>Logs in through the console's form, as a person would, then joins from the meeting page.</summary>
    private async Task<MeetingParticipant> LogInAndJoinAsync(Uri daemon, string meetingId, string userName, string displayName)
    {
        var context = await MeetingParticipant.NewContextAsync(fixture.Browser, daemon);
        var page = await context.NewPageAsync();
        PageLog.Attach(page);
        await page.GotoAsync(new Uri(daemon, $"/m/{meetingId}").ToString());
        await page.GetByLabel("User name").FillAsync(userName);
        await page.GetByLabel("Password").FillAsync(Password);
        await page.GetByRole(AriaRole.Button, new() { Name = "Log in" }).ClickAsync();
        await page.WaitForURLAsync($"**/m/{meetingId}");
        return await MeetingParticipant.JoinOnPageAsync(context, page, displayName);
    }

    private static TimeSpan VideoDuration(string webm)
    {
        var output = Ffmpeg.Run("ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", webm).EnsureSuccess();
        var times = output.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(t => double.Parse(t, CultureInfo.InvariantCulture)).ToList();
        return TimeSpan.FromSeconds(times.Max() - times.Min());
    }
}
