using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

public sealed class DiskFullTests
{
    private const int PacketsPerSegment = 20;

    [Fact]
    public void A_full_disk_stops_the_recording_alone_and_what_was_sealed_stays_readable_with_a_manifest_saying_why()
    {
        using var disk = new TinyTmpfs(kibibytes: 256);
        using var scene = new RecorderScene(recordingsDirectory: Path.Combine(disk.Root, "recordings"));
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        int sealedBefore = 0;
        ushort sequence = 0;
        // About 20 KiB a segment: a 256 KiB disk is full after about a dozen.
        for (int segment = 0; segment < 30 && scene.Stopped.IsEmpty; segment++)
        {
            sealedBefore = scene.Tap.Status(RecorderScene.Room)!.SegmentsSealed;
            for (int i = 0; i < PacketsPerSegment; i++) scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(sequence++));
            scene.Clock.Advance(TimeSpan.FromSeconds(2));
            RecorderScene.Until(() => !scene.Stopped.IsEmpty || scene.Tap.Status(RecorderScene.Room)!.SegmentsSealed > sealedBefore, "a segment sealed or the recording stopped");
        }

        var (roomId, stoppedId, reason) = Assert.Single(scene.Stopped);
        Assert.Equal((RecorderScene.Room, EndedBy.DiskFull), (roomId, reason));
        Assert.Equal(recordingId, stoppedId);
        Assert.Null(scene.Tap.Status(RecorderScene.Room));
        string directory = RecorderScene.DirectoryOf(scene.Options, recordingId);
        var files = Directory.GetFiles(directory).Order(StringComparer.Ordinal).ToList();
        // The media loop goes on as if the room did not record.
        scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(sequence));
        Assert.Equal(files, Directory.GetFiles(directory).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(files, f => f.EndsWith(".tmp", StringComparison.Ordinal));

        var reader = scene.Read(recordingId);
        Assert.Equal(EndedBy.DiskFull, reader.Manifest.EndedBy);
        Assert.True(sealedBefore >= 5, $"{sealedBefore} segments sealed before the disk was full");
        Assert.Equal(sealedBefore, reader.Manifest.Segments.Count);
        Assert.Equal(Enumerable.Range(0, sealedBefore * PacketsPerSegment).Select(i => RecorderScene.Rtp((ushort)i)),
            reader.ReadRecords().Cast<RecordedRtp>().Select(r => r.RtpPacket));
    }
}
