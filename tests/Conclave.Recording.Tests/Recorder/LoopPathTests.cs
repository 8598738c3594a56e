using Conclave.Testing;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

/// <summary>What the media loop pays: nothing for a room that does not record, a copy for one that does, never an allocation or a wait.</summary>
public sealed class LoopPathTests
{
    [Fact]
    public void A_room_that_does_not_record_stores_nothing_and_creates_nothing()
    {
        using var scene = new RecorderScene();

        Touch(scene.Tap, "quiet-room");

        Assert.False(Directory.Exists(scene.Options.RecordingsDirectory));
        Assert.Null(scene.Tap.Status("quiet-room"));
    }

    [Fact]
    public async Task Only_the_recording_room_s_records_go_into_its_recording()
    {
        using var scene = new RecorderScene();
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");

        Touch(scene.Tap, "quiet-room");
        scene.Tap.AppendEpoch(RecorderScene.Room, 9);
        var manifest = await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);

        Assert.Equal(new RecordedEpoch(0, 9), Assert.Single(scene.Read(recordingId).ReadRecords()));
        Assert.Equal([Convert.ToHexStringLower(recordingId)], Directory.GetDirectories(scene.Options.RecordingsDirectory).Select(Path.GetFileName));
        Assert.Equal(1, manifest.Segments.Sum(s => s.Records));
    }

    [Fact]
    public void Forwarding_allocates_nothing_whether_or_not_the_room_records_and_whether_or_not_the_ring_has_room()
    {
        using var scene = new RecorderScene(configure: o => o.RingBytes = 64 << 10);
        scene.Tap.Start(RecorderScene.Room, RecorderScene.NewRecordingId(), "meeting");
        var packet = RecorderScene.Rtp(1);
        for (int i = 0; i < 1_000; i++) Forward(scene.Tap, packet); // warm up (and fill the ring: drops count too)

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 10_000; i++) Forward(scene.Tap, packet);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        Assert.Equal(0, allocated);
    }

    [Fact]
    public async Task When_the_ring_is_full_records_are_dropped_and_counted_and_a_gap_record_says_how_many_once_there_is_room()
    {
        var kek = new GatedKeyWrapper(new SoftwareKeyWrapper());
        using var scene = new RecorderScene(kek, o => o.RingBytes = 8 << 10);
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        Forward(scene.Tap, RecorderScene.Rtp(0));
        // The writer seals the first segment 2 s on and stops there, holding nothing of the ring.
        kek.Close();
        scene.Clock.Advance(TimeSpan.FromSeconds(2));
        Assert.True(kek.Waiting.Wait(TimeSpan.FromSeconds(10)));

        // Each record is 1,025 bytes: seven fit 8 KiB.
        for (ushort i = 1; i <= 10; i++) Forward(scene.Tap, RecorderScene.Rtp(i));
        Assert.Equal(3, scene.Tap.Status(RecorderScene.Room)!.DroppedRecords);
        kek.Open();
        RecorderScene.Until(() => scene.Tap.Status(RecorderScene.Room)!.WaitingBytes == 0, "the ring drained");
        scene.Clock.Advance(TimeSpan.FromMilliseconds(1));
        Forward(scene.Tap, RecorderScene.Rtp(11));
        var manifest = await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);

        var records = scene.Read(recordingId).ReadRecords().ToList();
        Assert.Equal([0, 1, 2, 3, 4, 5, 6, 7], records.Take(8).Select(r => ((RecordedRtp)r).RtpPacket[3]).Select(b => (int)b));
        Assert.Equal(new RecordedGap(2_001_000, 3), records[8]);
        Assert.Equal(11, ((RecordedRtp)records[9]).RtpPacket[3]);
        Assert.Equal(10, records.Count);
        Assert.Equal(3, manifest.DroppedRecords);
    }

    private static void Forward(RecordingTap tap, byte[] packet) => tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, packet);

    private static void Touch(RecordingTap tap, string roomId)
    {
        tap.OnForward(roomId, RecorderScene.Alice, MediaKind.Video, RecorderScene.Rtp(1));
        tap.OnSenderReport(roomId, RecorderScene.Alice, 1, 2, 3);
        tap.AppendEpoch(roomId, 1);
        tap.AppendEscrow(roomId, new byte[10]);
        tap.AppendParticipant(roomId, RecorderScene.Alice, new byte[10]);
        tap.AppendData(roomId, RecorderScene.Alice, 1, new byte[10]);
    }
}
