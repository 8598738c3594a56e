using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

public sealed class SegmentRollingTests
{
    [Fact]
    public async Task A_new_segment_starts_with_the_first_record_2_s_after_the_segment_before_began()
    {
        using var scene = new RecorderScene();
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        for (ushort i = 0; i < 10; i++)
        {
            scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(i));
            scene.Clock.Advance(TimeSpan.FromMilliseconds(500));
        }

        var manifest = await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.MeetingEnded);

        Assert.Equal(
            [("segment-000001.cnsl", 4, 0UL, 1_500_000UL), ("segment-000002.cnsl", 4, 2_000_000UL, 3_500_000UL), ("segment-000003.cnsl", 2, 4_000_000UL, 4_500_000UL)],
            manifest.Segments.Select(s => (s.Name, s.Records, s.FirstArrivalUs, s.LastArrivalUs)));
        Assert.Equal(Enumerable.Range(0, 10).Select(i => RecorderScene.Rtp((ushort)i)),
            scene.Read(recordingId).ReadRecords().Cast<RecordedRtp>().Select(r => r.RtpPacket));
        Assert.Equal(EndedBy.MeetingEnded, manifest.EndedBy);
    }

    [Fact]
    public void A_segment_is_sealed_2_s_after_it_began_when_nothing_more_arrives()
    {
        using var scene = new RecorderScene();
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        scene.Tap.AppendEpoch(RecorderScene.Room, 1);
        string first = Path.Combine(RecorderScene.DirectoryOf(scene.Options, recordingId), "segment-000001.cnsl");

        scene.Clock.Advance(TimeSpan.FromMilliseconds(1_999));
        Thread.Sleep(100); // several of the writer's turns
        Assert.False(File.Exists(first));
        scene.Clock.Advance(TimeSpan.FromMilliseconds(1));

        RecorderScene.Until(() => scene.Tap.Status(RecorderScene.Room)!.SegmentsSealed == 1, "the first segment sealed");
        Assert.True(File.Exists(first));
        var status = scene.Tap.Status(RecorderScene.Room)!;
        Assert.Equal(recordingId, status.RecordingId);
        Assert.Equal(("meeting", scene.Clock.Start.ToUnixTimeMilliseconds(), 1L, 0L), (status.MeetingId, status.StartedUnixMs, status.RecordsStored, status.DroppedRecords));
    }

    [Fact]
    public async Task A_segment_rolls_before_its_plaintext_would_pass_the_size_limit()
    {
        using var scene = new RecorderScene(configure: o => o.SegmentMaxBytes = 5_000);
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        // Each record is 13 + 1 + 10 + 1 + 1,000 bytes: four and a segment header fit in 5,000.
        for (ushort i = 0; i < 10; i++) scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(i));

        var manifest = await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);

        Assert.Equal([4, 4, 2], manifest.Segments.Select(s => s.Records));
        Assert.All(manifest.Segments, s => Assert.True(s.Bytes <= 5_000));
        Assert.Equal(10, scene.Read(recordingId).ReadRecords().Count());
    }
}
