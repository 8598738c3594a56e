using Conclave.Crypto.Audit;
using Conclave.Daemon;
using Conclave.Testing;

namespace Conclave.Crypto.Tests;

/// <summary>Showing the newest records reads the log from its end: the cost does not grow with the log.</summary>
public sealed class AuditReaderTests : IClassFixture<AuditReaderTests.LargeLog>
{
    private const int Records = 40_000;

    /// <summary>A log of <see cref="Records"/> events (about 10 MB), written once for the class.</summary>
    public sealed class LargeLog : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("conclave-audit-large-").FullName;

        public LargeLog()
        {
            Path = System.IO.Path.Combine(_directory, "audit.log");
            var start = new DateTimeOffset(2030, 1, 1, 0, 0, 0, TimeSpan.Zero);
            var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(start);
            var log = AuditLog.Open(Path, new TokenAuditSigner(DevelopmentTokenState.Token), new AuditLogOptions { CheckpointEvery = 1_000, Time = clock });
            for (int i = 0; i < Records; i++)
            {
                _ = log.AppendAsync(i % 10 == 0 ? "user:ada" : "anonymous@192.0.2.7", i % 10 == 0 ? "login" : "console.access", $"object-{i}", "ok");
                clock.Advance(TimeSpan.FromSeconds(1));
            }
            log.Close();
            Start = start;
        }

        public string Path { get; }

        /// <summary>The time of the first record; each next one is a second later.</summary>
        public DateTimeOffset Start { get; }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }

    private readonly LargeLog _log;

    public AuditReaderTests(LargeLog log) => _log = log;

    [Fact]
    public void The_last_fifty_records_of_a_ten_megabyte_log_are_found_in_one_chunk_from_its_end()
    {
        long size = new FileInfo(_log.Path).Length;

        var tail = AuditReader.ReadLast(_log.Path, 50, eventsOnly: true);

        Assert.True(size > 8_000_000, $"the log is only {size} bytes");
        Assert.Equal(Enumerable.Range(Records - 50, 50).Select(i => $"object-{i}"), tail.Records.Select(r => r.Object));
        Assert.True(tail.BytesRead <= 64 * 1024, $"{tail.BytesRead} bytes read");
        // The closing checkpoint, and the one before, lie among the last 50 events.
        Assert.InRange(tail.RecordsParsed, 50, 52);
    }

    [Fact]
    public void A_filter_reads_back_only_as_far_as_its_matches_go()
    {
        var logins = AuditReader.ReadLast(_log.Path, 20, action: "login");

        Assert.Equal(Enumerable.Range(0, 20).Select(k => $"object-{Records - 200 + 10 * k}"), logins.Records.Select(r => r.Object));
        // And the closing checkpoint.
        Assert.Equal(201, logins.RecordsParsed);
    }

    [Fact]
    public void Since_stops_reading_at_the_first_older_record()
    {
        var lastMinute = AuditReader.ReadLast(_log.Path, 1_000, since: _log.Start.AddSeconds(Records - 60), eventsOnly: true);

        Assert.Equal(60, lastMinute.Records.Count);
        Assert.Equal($"object-{Records - 60}", lastMinute.Records[0].Object);
        Assert.InRange(lastMinute.RecordsParsed, 61, 63);
    }

    [Fact]
    public void A_last_line_without_its_newline_is_being_written_and_is_left_out()
    {
        string torn = Path.Combine(Path.GetDirectoryName(_log.Path)!, "torn.log");
        var lines = File.ReadLines(_log.Path).TakeLast(3).ToList();
        File.WriteAllText(torn, $"{lines[0]}\n{lines[1]}\n{lines[2][..40]}");

        var tail = AuditReader.ReadLast(torn, 10);

        Assert.Equal(2, tail.Records.Count);
    }
}
