using Conclave.Testing;
using System.Collections.Concurrent;
using Conclave.Crypto.Envelopes;
using Conclave.Recording.Recorder;
using Microsoft.Extensions.Time.Testing;

namespace Conclave.Recording.Tests.Recorder;

/// <summary>A recorder over a directory of its own, a fake clock, and a log of what it told the daemon.</summary>
internal sealed class RecorderScene : IDisposable, IRecordingEvents
{
    public const string Room = "room-1";
    public const string Alice = "peer-alice";

    private readonly string _root;

    public RecorderScene(IDataKeyWrapper? storageKek = null, Action<RecorderOptions>? configure = null, TimeProvider? time = null, string? recordingsDirectory = null)
    {
        _root = Directory.CreateTempSubdirectory("conclave-recorder-").FullName;
        Options = new RecorderOptions { RecordingsDirectory = recordingsDirectory ?? Path.Combine(_root, "sealed", "recordings") };
        configure?.Invoke(Options);
        StorageKek = storageKek ?? new SoftwareKeyWrapper();
        Time = time ?? Clock;
        Tap = new RecordingTap(Options, StorageKek, Time, this);
    }

    public FakeTimeProvider Clock { get; } = new(DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000));

    public TimeProvider Time { get; }

    public RecorderOptions Options { get; }

    public IDataKeyWrapper StorageKek { get; }

    public RecordingTap Tap { get; }

    public ConcurrentQueue<(string RoomId, byte[] RecordingId, string Reason)> Stopped { get; } = new();

    /// <summary>A scratch directory of the test's own, beside the recordings.</summary>
    public string Scratch(string name) => Directory.CreateDirectory(Path.Combine(_root, name)).FullName;

    public static byte[] NewRecordingId() => Guid.NewGuid().ToByteArray();

    public static string DirectoryOf(RecorderOptions options, byte[] recordingId) => Path.Combine(options.RecordingsDirectory, Convert.ToHexStringLower(recordingId));

    public RecordingReader Read(byte[] recordingId) => RecordingReader.OpenSealed(DirectoryOf(Options, recordingId), StorageKek);

    void IRecordingEvents.Stopped(string roomId, byte[] recordingId, string reason) => Stopped.Enqueue((roomId, recordingId, reason));

    /// <summary>A 1,000-byte RTP packet whose sequence number is <paramref name="sequence"/>.</summary>
    public static byte[] Rtp(ushort sequence, int length = 1000)
    {
        var packet = new byte[length];
        packet[0] = 0x80;
        packet[1] = 96;
        packet[2] = (byte)(sequence >> 8);
        packet[3] = (byte)sequence;
        for (int i = 12; i < length; i++) packet[i] = (byte)(i * 7 + sequence);
        return packet;
    }

    public static void Until(Func<bool> condition, string what, int timeoutMs = 10_000)
    {
        var deadline = DateTime.UtcNow.AddMilliseconds(timeoutMs);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline) throw new TimeoutException($"waited {timeoutMs} ms for {what}");
            Thread.Sleep(5);
        }
    }

    public void Dispose()
    {
        Tap.Dispose();
        Directory.Delete(_root, recursive: true);
    }
}
