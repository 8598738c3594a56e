using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.SFrame;
using Conclave.Media.Sdp;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Benchmarks;

/// <summary>
/// Exports 20 s of one participant from memory to a WebM in memory (<see cref="SyntheticMedia"/>:
/// 600 VP8 frames, 1,000 Opus frames, every one SFrame-sealed). Real-time factor = 20 s / the
/// mean time; frames/s = 1,600 / the mean time.
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private const int Seconds = 20;

    private ParticipantMedia _media = null!;
    private KeyLookup _keys = null!;
    private MemoryStream _webm = null!;

    [GlobalSetup]
    public void Setup()
    {
        var layout = MlsKeyIdLayout.ForLeafCount(2);
        var epochSecret = RandomNumberGenerator.GetBytes(16);
        var camera = SFrameKey.FromBaseKey(epochSecret, layout.KeyId((ulong)SFrameStreamContext.Camera, 1, 6));
        var microphone = SFrameKey.FromBaseKey(epochSecret, layout.KeyId((ulong)SFrameStreamContext.Microphone, 1, 6));
        _keys = new KeyLookup(camera, microphone);
        var video = new List<RecordedRtp>();
        var audio = new List<RecordedRtp>();
        foreach (var packet in SyntheticMedia.Packets(Seconds, 0x1111, 0x2222, (kind, _) => kind == SFrameMediaKind.Video ? camera : microphone))
        {
            if (packet.Kind == SFrameMediaKind.Video) video.Add(new RecordedRtp(packet.ArrivalUs, "peer-alice", MediaKind.Video, packet.Packet));
            else audio.Add(new RecordedRtp(packet.ArrivalUs, "peer-alice", MediaKind.Audio, packet.Packet));
        }
        _media = new ParticipantMedia(video, audio, []);
        _webm = new MemoryStream(4 * Seconds * 800_000 / 8);
    }

    [GlobalCleanup]
    public void Cleanup() => _keys.Dispose();

    [Benchmark]
    public int ExportTwentySeconds()
    {
        _webm.SetLength(0);
        return ParticipantExporter.WriteWebm(_media, _keys, _webm).Count;
    }

    private sealed class KeyLookup(SFrameKey camera, SFrameKey microphone) : ISFrameKeyLookup, IDisposable
    {
        public SFrameKey? Find(ulong kid, ulong arrivalMicroseconds) => kid == camera.Kid ? camera : kid == microphone.Kid ? microphone : null;

        public bool IsFromPublisher(ulong kid, ulong arrivalMicroseconds) => true;

        public void Dispose()
        {
            camera.Dispose();
            microphone.Dispose();
        }
    }
}
