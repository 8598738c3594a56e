using Conclave.Testing;
using Conclave.Crypto.Envelopes;
using Conclave.Daemon.SharedFiles;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Audit;
using Conclave.Meetings.Ports;
using Conclave.Meetings.SharedFiles;
using Conclave.Storage;
using Conclave.Web.SharedFiles;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;

namespace Conclave.Daemon.Tests.SharedFiles;

/// <summary>
/// Retention of shared files as conclaved runs it (docs/content-sharing.md), on a fake clock and
/// the token's storage KEK: shredded once the room has been empty for the setting, the wrapped key
/// zeroed before the file goes, and whatever a crash interrupts finished at the next start.
/// </summary>
[Collection(InProcessDaemonCollection.Name)]
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class SharedFileLifetimeTests : IDisposable
{
    private const string Meeting = "m-retention";
    private static readonly Attendee Ada = new MemberAttendee(new Account(7, "ada", "Ada", Role.Member, false, "", null, null, 0, 0, null, null, DateTimeOffset.UnixEpoch));

    private readonly string _directory = Directory.CreateTempSubdirectory("conclave-shared-files-").FullName;
    private readonly ApplianceDatabase _database;
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2030, 3, 4, 9, 0, 0, TimeSpan.Zero));
    private readonly IDataKeyWrapper _kek;
    private readonly SharedFileStore _store;
    private readonly CountingAuditTrail _audit = new();

    public SharedFileLifetimeTests(InProcessDaemon fixture)
    {
        _database = ApplianceDatabase.Open(Path.Combine(_directory, "conclave.db"));
        _kek = fixture.Daemon.App.Services.GetRequiredService<IDataKeyWrapper>();
        _store = new SharedFileStore(Path.Combine(_directory, "sealed", "meetings"), _kek);
    }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>conclaved's shared-file services, as one start of it makes them.</summary>
    private (SharedFileService Files, SharedFileLifetime Lifetime) Start()
    {
        var files = new SharedFileService(_database.SharedFiles, _database.Meetings, _database.Settings, _audit, _time, SharedFileLimits.Defaults);
        var lifetime = new SharedFileLifetime(files, _store, _time, NullLogger<SharedFileLifetime>.Instance);
        lifetime.StartAsync(CancellationToken.None).GetAwaiter().GetResult();
        return (files, lifetime);
    }

    private async Task<SharedFile> UploadAsync(SharedFileService files, byte[] content)
    {
        Assert.Equal(SharedFileReservation.Reserved, files.Reserve(Ada, "p1", Meeting, content.Length, out var file));
        await _store.WriteAsync(Meeting, file!.FileId, new MemoryStream(content), content.Length);
        files.Stored(Ada, file);
        return file with { Stored = true };
    }

    private static (int At, int Length) WrappedKeyRegion(byte[] sealedBytes) => (14, (sealedBytes[12] << 8) | sealedBytes[13]);

    [Fact]
    public async Task Once_the_room_has_been_empty_for_the_kept_hours_the_file_and_its_row_go_its_wrapped_key_zeroed_first()
    {
        var (files, lifetime) = Start();
        using var running = lifetime;
        files.RoomOccupied(Meeting);
        var file = await UploadAsync(files, new byte[100_000]);
        string path = _store.PathOf(Meeting, file.FileId), witness = Path.Combine(_directory, "witness");
        HardLinks.Create(path, witness);
        var (wrappedAt, wrappedLength) = WrappedKeyRegion(File.ReadAllBytes(path));
        Assert.True(File.ReadAllBytes(witness).AsSpan(wrappedAt, wrappedLength).IndexOfAnyExcept((byte)0) >= 0);

        _time.Advance(TimeSpan.FromHours(30));
        Assert.True(File.Exists(path));
        files.RoomEmptied(Meeting);
        _time.Advance(TimeSpan.FromHours(23));
        Assert.True(File.Exists(path));
        Assert.NotNull(_database.SharedFiles.Find(file.FileId));

        _time.Advance(TimeSpan.FromHours(1));

        Assert.False(File.Exists(path));
        Assert.Null(_database.SharedFiles.Find(file.FileId));
        Assert.True(File.ReadAllBytes(witness).AsSpan(wrappedAt, wrappedLength).IndexOfAnyExcept((byte)0) < 0);
        Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(File.ReadAllBytes(witness), _kek, "witness"));
        Assert.Equal(1, _audit.Count(AuditAction.FileShred));
    }

    [Fact]
    public async Task A_restart_keeps_when_the_room_emptied_and_a_restart_of_a_daemon_stopped_with_people_in_the_room_starts_the_wait()
    {
        var (files, lifetime) = Start();
        files.RoomOccupied(Meeting);
        var emptied = await UploadAsync(files, [1, 2, 3]);
        files.RoomEmptied(Meeting);
        files.RoomOccupied("m-busy");
        Assert.Equal(SharedFileReservation.Reserved, files.Reserve(Ada, "p2", "m-busy", 3, out var busy));
        await _store.WriteAsync("m-busy", busy!.FileId, new MemoryStream([4, 5, 6]), 3);
        files.Stored(Ada, busy);
        _time.Advance(TimeSpan.FromHours(12));
        lifetime.Dispose();

        (_, lifetime) = Start();
        using var running = lifetime;
        _time.Advance(TimeSpan.FromHours(12));

        Assert.Null(_database.SharedFiles.Find(emptied.FileId));
        Assert.False(File.Exists(_store.PathOf(Meeting, emptied.FileId)));
        Assert.True(File.Exists(_store.PathOf("m-busy", busy.FileId)));
        _time.Advance(TimeSpan.FromHours(12));
        Assert.False(File.Exists(_store.PathOf("m-busy", busy.FileId)));
        Assert.Null(_database.SharedFiles.Find(busy.FileId));
    }

    [Fact]
    public async Task A_crash_between_destroying_the_key_and_forgetting_the_file_is_finished_at_the_next_start()
    {
        var (files, lifetime) = Start();
        files.RoomOccupied(Meeting);
        var keyDestroyed = await UploadAsync(files, new byte[70_000]);
        var fileDeleted = await UploadAsync(files, new byte[70_000]);
        files.RoomEmptied(Meeting);
        _time.Advance(TimeSpan.FromHours(23));
        lifetime.Dispose();
        // The crash: one file's key zeroed but the file still there, the other's file gone but its row kept.
        using (var sealedFile = new FileStream(_store.PathOf(Meeting, keyDestroyed.FileId), FileMode.Open, FileAccess.ReadWrite)) SealedEnvelope.DestroyKey(sealedFile, "crashed");
        File.Delete(_store.PathOf(Meeting, fileDeleted.FileId));
        _time.Advance(TimeSpan.FromHours(1));

        (_, lifetime) = Start();
        using var running = lifetime;

        Assert.Null(_database.SharedFiles.Find(keyDestroyed.FileId));
        Assert.Null(_database.SharedFiles.Find(fileDeleted.FileId));
        Assert.False(Directory.Exists(Path.Combine(_store.Root, Meeting)));
    }

    [Fact]
    public async Task An_upload_a_crash_cut_short_leaves_nothing_after_the_next_start_and_frees_its_bytes()
    {
        var (files, lifetime) = Start();
        files.RoomOccupied(Meeting);
        var kept = await UploadAsync(files, [1]);
        Assert.Equal(SharedFileReservation.Reserved, files.Reserve(Ada, "p1", Meeting, 10, out var cutShort));
        string temporary = _store.PathOf(Meeting, cutShort!.FileId) + ".tmp";
        File.WriteAllBytes(temporary, [0, 1, 2]);
        lifetime.Dispose();
        _time.Advance(TimeSpan.FromSeconds(1));

        (_, lifetime) = Start();
        using var running = lifetime;

        Assert.False(File.Exists(temporary));
        Assert.Null(_database.SharedFiles.Find(cutShort.FileId));
        Assert.True(File.Exists(_store.PathOf(Meeting, kept.FileId)));
        Assert.NotNull(_database.SharedFiles.Find(kept.FileId));
    }

    private sealed class CountingAuditTrail : IAuditTrail
    {
        private readonly List<AuditAction> _actions = [];

        public int Count(AuditAction action)
        {
            lock (_actions) return _actions.Count(a => a == action);
        }

        public void Record(AuditActor actor, AuditAction action, AuditObject target, AuditOutcome outcome)
        {
            lock (_actions) _actions.Add(action);
        }
    }
}
