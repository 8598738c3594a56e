using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;
using Conclave.Crypto.SFrame;
using Conclave.Media.Sdp;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Benchmarks;

/// <summary>
/// The whole-recording export (docs/recording.md, "Export: the whole recording") of a recording the
/// recorder stored under a software storage KEK: 60 s of a meeting of four, each publishing
/// <see cref="SyntheticMedia"/> (about 106 kB/s: 25 MB of RTP in all), over two MLS epochs each
/// escrowed by two leaves. One operation reads and verifies every segment, opens the escrow, sets
/// each publisher's RTP aside and writes four WebM files, the manifest and its signature to disk.
/// Real-time factor = 60 s / the mean time.
/// </summary>
[MemoryDiagnoser]
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 6, invocationCount: 1)]
public class RecordingExportBenchmarks
{
    private const int Seconds = 60, Members = 4;
    private const ulong FirstEpoch = 5, EpochChangeUs = Seconds / 2 * 1_000_000UL;
    private const string Room = "room-bench", MeetingId = "bench-meeting";

    private readonly SoftwareHpkeRecipient _escrowKey = new();
    private readonly ECDsa _ca = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private readonly ECDsa _signing = ECDsa.Create(ECCurve.NamedCurves.nistP256);
    private string _directory = null!;
    private MemoryKeyWrapper _storageKek = null!;
    private byte[] _recordingId = null!;
    private string _output = null!;

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("conclave-export-bench-").FullName;
        _storageKek = new MemoryKeyWrapper();
        _recordingId = RandomNumberGenerator.GetBytes(16);
        Record();
    }

    [IterationSetup]
    public void FreshOutput() => _output = Path.Combine(_directory, "export-" + Guid.NewGuid().ToString("N"));

    [Benchmark]
    public int ExportSixtySecondsOfFour()
    {
        var result = RecordingExport.Run(new ExportRequest(
            RecordingReader.OpenSealed(Path.Combine(_directory, "recordings", Convert.ToHexStringLower(_recordingId)), _storageKek),
            [new DelegatedHpkeRecipient(_escrowKey.SubjectPublicKeyInfo, _escrowKey.DeriveSharedSecret)],
            _ca.ExportSubjectPublicKeyInfo(),
            _output,
            manifest => _signing.SignData(manifest, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence),
            _signing.ExportSubjectPublicKeyInfo()));
        if (result.Problems.Count > 0) throw new InvalidOperationException(string.Join("; ", result.Problems));
        return result.Files.Count;
    }

    [IterationCleanup]
    public void DeleteOutput() => Directory.Delete(_output, recursive: true);

    [GlobalCleanup]
    public void Cleanup()
    {
        Directory.Delete(_directory, recursive: true);
        _escrowKey.Dispose();
        _ca.Dispose();
        _signing.Dispose();
    }

    /// <summary>The meeting through the recorder, on a clock that moves as the packets' arrivals say.</summary>
    private void Record()
    {
        var layout = MlsKeyIdLayout.ForLeafCount(Members);
        var secrets = new[] { RandomNumberGenerator.GetBytes(16), RandomNumberGenerator.GetBytes(16) };
        var groupId = RandomNumberGenerator.GetBytes(16);
        var roster = new List<RosterEntry>();
        var credentials = new byte[Members][];
        var keys = new List<SFrameKey>();
        var events = new List<(ulong AtUs, Action<RecordingTap> Append)>();
        for (uint leaf = 0; leaf < Members; leaf++)
        {
            using var signatureKey = ECDsa.Create(ECCurve.NamedCurves.nistP256);
            var q = signatureKey.ExportParameters(false).Q;
            byte[] point = [0x04, .. q.X!, .. q.Y!];
            credentials[leaf] = Credential($"peer-{leaf}", $"Member {leaf}", SHA256.HashData(point));
            roster.Add(new RosterEntry(leaf, credentials[leaf], point));
            var streamKeys = new SFrameKey[4];
            for (int epoch = 0; epoch < 2; epoch++)
            {
                streamKeys[2 * epoch] = SFrameKey.FromBaseKey(secrets[epoch], layout.KeyId((ulong)SFrameStreamContext.Camera, leaf, FirstEpoch + (ulong)epoch));
                streamKeys[2 * epoch + 1] = SFrameKey.FromBaseKey(secrets[epoch], layout.KeyId((ulong)SFrameStreamContext.Microphone, leaf, FirstEpoch + (ulong)epoch));
            }
            keys.AddRange(streamKeys);
            string peer = $"peer-{leaf}";
            var credential = credentials[leaf];
            events.Add((0, tap => tap.AppendParticipant(Room, peer, credential)));
            foreach (var packet in SyntheticMedia.Packets(Seconds, 0x1000 + leaf, 0x2000 + leaf,
                         (kind, captureUs) => streamKeys[(captureUs >= EpochChangeUs ? 2 : 0) + (kind == SFrameMediaKind.Video ? 0 : 1)]))
            {
                // Arrivals 12 ms after capture, each member's a little apart.
                var kind = packet.Kind == SFrameMediaKind.Video ? MediaKind.Video : MediaKind.Audio;
                events.Add((packet.ArrivalUs + 12_000 + leaf * 100, tap => tap.OnForward(Room, peer, kind, packet.Packet)));
            }
        }
        for (int epoch = 0; epoch < 2; epoch++)
        {
            ulong number = FirstEpoch + (ulong)epoch, at = (ulong)epoch * EpochChangeUs;
            var content = new EscrowedEpoch(_recordingId, groupId, number, secrets[epoch], [], RandomNumberGenerator.GetBytes(32), Members, roster);
            events.Add((at, tap => tap.AppendEpoch(Room, number)));
            for (uint sealer = 0; sealer < 2; sealer++)
            {
                var blob = EscrowSealer.Seal(_escrowKey.SubjectPublicKeyInfo, _recordingId, number, sealer, content).Write();
                events.Add((at + 50_000, tap => tap.AppendEscrow(Room, blob)));
            }
        }
        events.Sort((a, b) => a.AtUs.CompareTo(b.AtUs));

        var clock = new ManualClock();
        using var tap = new RecordingTap(new RecorderOptions { RecordingsDirectory = Path.Combine(_directory, "recordings") }, _storageKek, clock, new StopsAreFailures());
        tap.Start(Room, _recordingId, MeetingId);
        foreach (var (at, append) in events)
        {
            clock.AdvanceTo(at);
            append(tap);
            // The daemon's writer keeps up with real time; this clock runs faster, so give it the time.
            while (tap.Status(Room)!.WaitingBytes > 4 << 20) Thread.Sleep(1);
        }
        var manifest = tap.StopAsync(Room, EndedBy.Stop).GetAwaiter().GetResult();
        if (manifest.DroppedRecords > 0) throw new InvalidOperationException($"the recorder dropped {manifest.DroppedRecords} records");
        foreach (var key in keys) key.Dispose();
    }

    /// <summary>A ConclaveCredential (docs/signalling.md), signed by the benchmark's CA.</summary>
    private byte[] Credential(string participantId, string displayName, byte[] signatureKeySha256)
    {
        var body = new List<byte> { 1 };
        foreach (string text in new[] { MeetingId, participantId, "account:1", displayName })
        {
            var bytes = Encoding.UTF8.GetBytes(text);
            body.Add((byte)bytes.Length);
            body.AddRange(bytes);
        }
        body.Add(2);
        var notAfter = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(notAfter, 1_800_000_000);
        body.AddRange(notAfter);
        body.AddRange(signatureKeySha256);
        var signature = _ca.SignData([.. "Conclave credential v1"u8, .. body], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return [.. body, (byte)(0x40 | signature.Length >> 8), (byte)signature.Length, .. signature];
    }

    /// <summary>A clock the benchmark moves: the recorder stamps arrivals from it.</summary>
    private sealed class ManualClock : TimeProvider
    {
        private static readonly DateTimeOffset Start = DateTimeOffset.FromUnixTimeMilliseconds(1_767_225_600_000);
        private long _ticks;

        public override long TimestampFrequency => TimeSpan.TicksPerSecond;

        public override long GetTimestamp() => Volatile.Read(ref _ticks);

        public override DateTimeOffset GetUtcNow() => Start.AddTicks(Volatile.Read(ref _ticks));

        public void AdvanceTo(ulong microseconds) => Volatile.Write(ref _ticks, Math.Max(_ticks, (long)microseconds * 10));
    }
}
