using Conclave.Meetings.SharedFiles;

namespace Conclave.Storage.Tests;

public sealed class SharedFileIndexTests : DatabaseTest
{
    private const long MaxMeetingBytes = 1_000;
    private const int MaxFiles = 3;

    private static SharedFile Sample(string fileId, string meetingId = "m1", long bytes = 100, DateTimeOffset? uploadedAt = null) =>
        new(fileId, meetingId, bytes, "p1", "account:7", uploadedAt ?? Samples.Time, Stored: false, RoomEmptiedAt: null);

    private SharedFileReservation Reserve(SharedFile file) => Database.SharedFiles.TryReserve(file, MaxMeetingBytes, MaxFiles);

    [Fact]
    public void A_reserved_file_round_trips_and_is_stored_once_marked()
    {
        var file = Sample("0123456789abcdef0123456789abcdef", bytes: 123);
        Assert.Equal(SharedFileReservation.Reserved, Reserve(file));
        Assert.Equal(file, Database.SharedFiles.Find(file.FileId));

        Database.SharedFiles.MarkStored(file.FileId);

        Assert.Equal(file with { Stored = true }, Database.SharedFiles.Find(file.FileId));
        Database.SharedFiles.Remove(file.FileId);
        Assert.Null(Database.SharedFiles.Find(file.FileId));
    }

    [Fact]
    public void A_meeting_holds_at_most_its_bytes_and_its_files_counting_uploads_still_running_and_other_meetings_apart()
    {
        Assert.Equal(SharedFileReservation.Reserved, Reserve(Sample("a", bytes: 600)));
        Assert.Equal(SharedFileReservation.MeetingBytesFull, Reserve(Sample("b", bytes: 401)));
        Assert.Equal(SharedFileReservation.Reserved, Reserve(Sample("b", bytes: 400)));
        Assert.Equal(SharedFileReservation.Reserved, Reserve(Sample("c", "m2", bytes: 1_000)));
        Assert.Equal(SharedFileReservation.Reserved, Reserve(Sample("d", bytes: 0)));
        Assert.Equal(SharedFileReservation.MeetingCountFull, Reserve(Sample("e", bytes: 0)));

        Database.SharedFiles.Remove("a");
        Assert.Equal(SharedFileReservation.Reserved, Reserve(Sample("e", bytes: 600)));
    }

    [Fact]
    public void Of_many_uploads_racing_for_a_meetings_last_bytes_exactly_as_many_as_fit_are_reserved()
    {
        var outcomes = new SharedFileReservation[16];
        Parallel.For(0, outcomes.Length, i => outcomes[i] = Reserve(Sample($"f{i:D2}", bytes: 400)));

        Assert.Equal(2, outcomes.Count(o => o == SharedFileReservation.Reserved));
        Assert.All(outcomes.Where(o => o != SharedFileReservation.Reserved), o => Assert.Equal(SharedFileReservation.MeetingBytesFull, o));
    }

    [Fact]
    public void A_rooms_emptying_starts_its_stored_files_retention_once_and_a_return_clears_it()
    {
        Reserve(Sample("a"));
        Reserve(Sample("b"));
        Reserve(Sample("c", "m2"));
        Database.SharedFiles.MarkStored("a");
        Database.SharedFiles.MarkStored("c");

        Database.SharedFiles.MarkRoomEmptied("m1", Samples.Time.AddHours(1));
        Database.SharedFiles.MarkRoomEmptied("m1", Samples.Time.AddHours(2));

        Assert.Equal(Samples.Time.AddHours(1), Database.SharedFiles.Find("a")!.RoomEmptiedAt);
        Assert.Null(Database.SharedFiles.Find("c")!.RoomEmptiedAt);
        Assert.Empty(Database.SharedFiles.EmptiedBy(Samples.Time.AddMinutes(59)));
        Assert.Equal(["a"], Database.SharedFiles.EmptiedBy(Samples.Time.AddHours(1)).Select(f => f.FileId));

        Database.SharedFiles.MarkRoomOccupied("m1");
        Assert.Empty(Database.SharedFiles.EmptiedBy(Samples.Time.AddYears(1)));
    }

    [Fact]
    public void At_a_start_every_room_is_empty_and_unfinished_uploads_from_before_it_are_found()
    {
        Reserve(Sample("a", uploadedAt: Samples.Time));
        Reserve(Sample("b", "m2", uploadedAt: Samples.Time));
        Database.SharedFiles.MarkStored("a");
        Database.SharedFiles.MarkRoomEmptied("m1", Samples.Time.AddMinutes(5));

        Database.SharedFiles.MarkEveryRoomEmptied(Samples.Time.AddHours(1));

        Assert.Equal(Samples.Time.AddMinutes(5), Database.SharedFiles.Find("a")!.RoomEmptiedAt);
        Assert.Equal(Samples.Time.AddHours(1), Database.SharedFiles.Find("b")!.RoomEmptiedAt);
        Assert.Equal(["b"], Database.SharedFiles.UnfinishedBefore(Samples.Time.AddSeconds(1)).Select(f => f.FileId));
        Assert.Empty(Database.SharedFiles.UnfinishedBefore(Samples.Time));
    }
}
