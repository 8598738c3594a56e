using System.Buffers.Binary;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Recorder;

public sealed class ConcurrencyTests
{
    private const int Packets = 20_000;
    private const int AppendsPerThread = 2_000;
    private const int AppendingThreads = 3;

    [Fact]
    public async Task Records_forwarded_on_the_loop_while_other_threads_append_are_all_stored_each_thread_in_order_and_arrival_never_goes_back()
    {
        // The real clock, and a ring that holds everything even if the writer never ran.
        using var scene = new RecorderScene(configure: o => o.RingBytes = 32 << 20, time: TimeProvider.System);
        var recordingId = RecorderScene.NewRecordingId();
        scene.Tap.Start(RecorderScene.Room, recordingId, "meeting");
        using var start = new Barrier(1 + AppendingThreads);
        var loop = new Thread(() =>
        {
            var packet = RecorderScene.Rtp(0, length: 200);
            start.SignalAndWait();
            for (int i = 0; i < Packets; i++)
            {
                BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), (uint)i); // the SSRC field carries the count
                scene.Tap.OnForward(RecorderScene.Room, RecorderScene.Alice, MediaKind.Video, packet);
                if (i % 100 == 0) scene.Tap.OnSenderReport(RecorderScene.Room, RecorderScene.Alice, (uint)i, 0, 0);
            }
        });
        var appenders = Enumerable.Range(0, AppendingThreads).Select(t => new Thread(() =>
        {
            start.SignalAndWait();
            for (int i = 0; i < AppendsPerThread; i++)
            {
                scene.Tap.AppendData(RecorderScene.Room, $"peer-{t}", (ulong)i, new byte[32]);
                if (i % 10 == 0) scene.Tap.AppendEpoch(RecorderScene.Room, (ulong)(t * AppendsPerThread + i));
            }
        })).ToList();
        loop.Start();
        appenders.ForEach(a => a.Start());
        loop.Join();
        appenders.ForEach(a => a.Join());

        var manifest = await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);
        var records = scene.Read(recordingId).ReadRecords().ToList();

        Assert.Equal(0, manifest.DroppedRecords);
        Assert.Equal(Enumerable.Range(0, Packets), records.OfType<RecordedRtp>().Select(r => (int)BinaryPrimitives.ReadUInt32BigEndian(r.RtpPacket.AsSpan(8))));
        Assert.Equal(Packets / 100, records.OfType<RecordedSenderReport>().Count());
        for (int t = 0; t < AppendingThreads; t++)
        {
            string peer = $"peer-{t}";
            Assert.Equal(Enumerable.Range(0, AppendsPerThread).Select(i => (ulong)i), records.OfType<RecordedData>().Where(d => d.PublisherPeerId == peer).Select(d => d.Epoch));
        }
        Assert.Equal(AppendingThreads * AppendsPerThread / 10, records.OfType<RecordedEpoch>().Count());
        Assert.True(records.Zip(records.Skip(1)).All(pair => pair.First.ArrivalUs <= pair.Second.ArrivalUs));
        Assert.Equal(records.Count, manifest.Segments.Sum(s => s.Records));
    }

    [Fact]
    public async Task A_room_records_once_at_a_time_and_only_a_recording_room_can_be_stopped()
    {
        using var scene = new RecorderScene();
        scene.Tap.Start(RecorderScene.Room, RecorderScene.NewRecordingId(), "meeting");

        Assert.Throws<InvalidOperationException>(() => scene.Tap.Start(RecorderScene.Room, RecorderScene.NewRecordingId(), "meeting"));
        await scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop);
        Assert.Throws<InvalidOperationException>(() => { _ = scene.Tap.StopAsync(RecorderScene.Room, EndedBy.Stop); });
        Assert.Throws<ArgumentException>(() => scene.Tap.Start(RecorderScene.Room, new byte[15], "meeting"));
    }
}
