using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

/// <summary>
/// A crash is simulated by copying a running recording's directory, as <c>kill -9</c> would
/// leave it: sealed segments, the start file, a segment being written still a <c>.tmp</c>.
/// </summary>
public sealed class CrashRecoveryTests
{
    [Fact]
    public void A_recording_abandoned_without_stop_gets_a_manifest_of_every_sealed_segment_at_the_next_start()
    {
        using var scene = new RecorderScene();
        var (recordingId, crashed) = RecordThenCrash(scene);
        File.WriteAllBytes(Path.Combine(crashed.RecordingsDirectory, Convert.ToHexStringLower(recordingId), "segment-000003.cnsl.tmp"), new byte[100]);

        var outcome = Assert.Single(RecordingRecovery.RecoverAll(crashed, scene.StorageKek));

        Assert.Null(outcome.Problem);
        Assert.Empty(outcome.UnreadableSegments);
        var manifest = outcome.Manifest!;
        Assert.Equal((EndedBy.RecoveredAfterCrash, "meeting-7", 0L), (manifest.EndedBy, manifest.MeetingId, manifest.DroppedRecords));
        Assert.Equal(["segment-000001.cnsl", "segment-000002.cnsl"], manifest.Segments.Select(s => s.Name));
        Assert.Equal(manifest.StartedUnixMs + 3_000, manifest.StoppedUnixMs);
        Assert.Empty(Directory.GetFiles(outcome.Directory, "*.tmp"));
        var reader = RecordingReader.OpenSealed(outcome.Directory, scene.StorageKek);
        Assert.Equal(manifest.Sha256(), reader.ManifestSha256);
        Assert.Equal(Enumerable.Range(0, 4).Select(i => RecorderScene.Rtp((ushort)i)), reader.ReadRecords().Cast<RecordedRtp>().Select(r => r.RtpPacket));
    }

    [Fact]
    public void A_segment_that_does_not_open_is_left_out_of_the_recovered_manifest_and_named()
    {
        using var scene = new RecorderScene();
        var (recordingId, crashed) = RecordThenCrash(scene);
        string directory = Path.Combine(crashed.RecordingsDirectory, Convert.ToHexStringLower(recordingId));
        var damaged = File.ReadAllBytes(Path.Combine(directory, "segment-000001.cnsl"));
        damaged[^5] ^= 1;
        File.WriteAllBytes(Path.Combine(directory, "segment-000001.cnsl"), damaged);

        var outcome = Assert.Single(RecordingRecovery.RecoverAll(crashed, scene.StorageKek));

        Assert.Equal(["segment-000001.cnsl"], outcome.UnreadableSegments);
        Assert.Equal(["segment-000002.cnsl"], outcome.Manifest!.Segments.Select(s => s.Name));
        var refused = Assert.Throws<RecordingDataException>(() => RecordingReader.OpenSealed(directory, scene.StorageKek));
        Assert.Contains("segment-000001.cnsl: in " + directory + " but not in the manifest", refused.Message);
    }

    [Fact]
    public async Task A_stopped_recording_is_left_as_it_is()
    {
        using var scene = new RecorderScene();
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        scene.Tap.AppendEpoch(RecorderScene.Room, 3);
        await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);
        string manifestPath = Path.Combine(RecorderScene.DirectoryOf(scene.Options, recordingId), "manifest.cnsl");
        var before = File.ReadAllBytes(manifestPath);

        Assert.Empty(RecordingRecovery.RecoverAll(scene.Options, scene.StorageKek));

        Assert.Equal(before, File.ReadAllBytes(manifestPath));
    }

    [Fact]
    public void A_directory_left_by_a_crash_while_the_recording_started_is_removed()
    {
        using var scene = new RecorderScene();
        string directory = Directory.CreateDirectory(RecorderScene.DirectoryOf(scene.Options, RecorderScene.NewRecordingId())).FullName;
        File.WriteAllBytes(Path.Combine(directory, "start.cnsl.tmp"), new byte[10]);

        Assert.Empty(RecordingRecovery.RecoverAll(scene.Options, scene.StorageKek));

        Assert.False(Directory.Exists(directory));
    }

    /// <summary>Five packets a second apart: two segments sealed, the third (one packet) still in memory when the copy is taken.</summary>
    private static (byte[] RecordingId, RecorderOptions Crashed) RecordThenCrash(RecorderScene scene)
    {
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting-7");
        for (ushort i = 0; i < 5; i++)
        {
            scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(i));
            scene.Clock.Advance(TimeSpan.FromSeconds(1));
        }
        RecorderScene.Until(() => scene.Tap.Status(RecorderScene.Room)!.SegmentsSealed == 2, "two segments sealed");

        var crashed = new RecorderOptions { RecordingsDirectory = scene.Scratch("crashed") };
        string from = RecorderScene.DirectoryOf(scene.Options, recordingId), to = Directory.CreateDirectory(RecorderScene.DirectoryOf(crashed, recordingId)).FullName;
        foreach (string file in Directory.GetFiles(from)) File.Copy(file, Path.Combine(to, Path.GetFileName(file)));
        Assert.Equal(["segment-000001.cnsl", "segment-000002.cnsl", "start.cnsl"], Directory.GetFiles(to).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        return (recordingId, crashed);
    }
}
