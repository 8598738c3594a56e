using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Media.Sdp;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Benchmarks;

/// <summary>
/// What the recorder costs the media loop per forwarded 1,100-byte packet: for a room that
/// records, the copy into its ring (the writer drains and seals meanwhile, as in the daemon);
/// for a room that does not, the lookup alone. Each recording invocation forwards a batch that
/// fits the ring once the writer has taken the one before, so the copy is what is measured,
/// never the drop of a full ring (cleanup checks that nothing was dropped).
/// </summary>
[MemoryDiagnoser]
public class RecordingTapBenchmarks
{
    private const int BatchPackets = 4096;
    // Ids of one length, as the daemon's are: a lookup cannot tell them apart by length alone.
    private const string RecordingRoom = "room-6f1c2a9e0b7d4c38";
    private const string QuietRoom = "room-0d93e5b1a4f2c867";
    private const string Publisher = "peer-0123456789abcdef";

    private readonly byte[] _packet = new byte[1100];
    private string _directory = null!;
    private RecordingTap _tap = null!;

    [GlobalSetup]
    public void Setup()
    {
        _packet[0] = 0x80;
        _packet[1] = 96;
        RandomNumberGenerator.Fill(_packet.AsSpan(12));
        _directory = Directory.CreateTempSubdirectory("conclave-recording-bench-").FullName;
        _tap = new RecordingTap(new RecorderOptions { RecordingsDirectory = _directory }, new MemoryKeyWrapper(), TimeProvider.System, new StopsAreFailures());
        _tap.Start(RecordingRoom, RandomNumberGenerator.GetBytes(16), "bench");
    }

    [IterationSetup(Target = nameof(ForwardInRecordingRoom))]
    public void LetTheWriterDrain()
    {
        while (_tap.Status(RecordingRoom)!.WaitingBytes > 0) Thread.Sleep(5);
    }

    [Benchmark(OperationsPerInvoke = BatchPackets)]
    [InvocationCount(1)]
    public void ForwardInRecordingRoom()
    {
        for (int i = 0; i < BatchPackets; i++) _tap.OnForward(RecordingRoom, Publisher, MediaKind.Video, _packet);
    }

    [Benchmark]
    public void ForwardInRoomNotRecording() => _tap.OnForward(QuietRoom, Publisher, MediaKind.Video, _packet);

    [GlobalCleanup]
    public void Cleanup()
    {
        long dropped = _tap.Status(RecordingRoom)!.DroppedRecords;
        _tap.Dispose();
        Directory.Delete(_directory, recursive: true);
        if (dropped > 0) throw new InvalidOperationException($"{dropped} packets were dropped: the figure is not the copy's alone");
    }
}
