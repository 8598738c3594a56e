using Conclave.Meetings;
using Conclave.Meetings.Recordings;

namespace Conclave.Storage.Tests;

public sealed class RecordingIndexTests : DatabaseTest
{
    private static Recording Sample(string id, string meetingId, DateTimeOffset startedAt) => new(
        Id: id,
        MeetingId: meetingId,
        MeetingTitle: "Quarterly review",
        StartedBy: "user:host",
        Scope: RecordingScope.MediaAndChat,
        StartedAt: startedAt,
        StoppedAt: null,
        EndedBy: null,
        Bytes: 0,
        ManifestSha256: null,
        RetainUntil: startedAt.AddDays(365),
        LegalHold: false,
        ShreddedAt: null);

    [Fact]
    public void A_recording_round_trips_and_is_the_meetings_active_one_until_it_stops()
    {
        var recording = Sample("0123456789abcdef0123456789abcdef", "m1", Samples.Time);
        Database.Recordings.Add(recording);

        Assert.Equal(recording with { ManifestSha256 = null }, Database.Recordings.Find(recording.Id)! with { ManifestSha256 = null });
        Assert.Equal(recording.Id, Database.Recordings.FindActive("m1")!.Id);
        Assert.Null(Database.Recordings.FindActive("m2"));

        var stopped = recording with { StoppedAt = Samples.Time.AddMinutes(20), EndedBy = "stop", Bytes = 123_456_789, ManifestSha256 = [1, 2, 3] };
        Database.Recordings.Update(stopped);

        var found = Database.Recordings.Find(recording.Id)!;
        Assert.Equal([1, 2, 3], found.ManifestSha256);
        Assert.Equal(stopped.StoppedAt, found.StoppedAt);
        Assert.Equal(123_456_789, found.Bytes);
        Assert.Null(Database.Recordings.FindActive("m1"));
    }

    [Fact]
    public void The_list_is_newest_first_and_a_duplicate_id_is_a_conflict()
    {
        Database.Recordings.Add(Sample("a", "m1", Samples.Time));
        Database.Recordings.Add(Sample("b", "m1", Samples.Time.AddHours(1)));

        Assert.Equal(["b", "a"], Database.Recordings.List().Select(r => r.Id));
        Assert.Equal(DomainErrorKind.Conflict, Assert.Throws<DomainException>(() => Database.Recordings.Add(Sample("a", "m2", Samples.Time))).Kind);
        Assert.Equal(DomainErrorKind.NotFound, Assert.Throws<DomainException>(() => Database.Recordings.Update(Sample("zz", "m1", Samples.Time))).Kind);
    }
}
