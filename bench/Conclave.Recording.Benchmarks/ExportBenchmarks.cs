using System.Buffers.Binary;
using System.Security.Cryptography;
using BenchmarkDotNet.Attributes;
using Conclave.Crypto.SFrame;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Benchmarks;

/// <summary>
/// Exports 20 s of one participant from memory to a WebM in memory: 600 VP8 frames at 30 frames/s
/// (800 kbit/s, a key frame every 2 s, split into ≤1,200-byte packets as Chromium does) and 1,000
/// Opus frames of 20 ms (32 kbit/s), every frame SFrame-sealed. The frames' bytes are random
/// behind valid VP8 and Opus headers: the export reads headers, never decodes. Real-time factor
/// = 20 s / the mean time; frames/s = 1,600 / the mean time.
/// </summary>
[MemoryDiagnoser]
public class ExportBenchmarks
{
    private const int Seconds = 20, VideoFramesPerSecond = 30, AudioFramesPerSecond = 50;
    private const int VideoBytesPerFrame = 800_000 / 8 / VideoFramesPerSecond, AudioBytesPerFrame = 32_000 / 8 / AudioFramesPerSecond;
    private const int MaxPayloadBytes = 1_200;

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
        _media = new ParticipantMedia(Video(camera), Audio(microphone), []);
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

    private static List<RecordedRtp> Video(SFrameKey key)
    {
        var packets = new List<RecordedRtp>();
        ushort sequence = 0;
        for (int frame = 0; frame < Seconds * VideoFramesPerSecond; frame++)
        {
            var plain = RandomNumberGenerator.GetBytes(VideoBytesPerFrame);
            bool keyFrame = frame % (2 * VideoFramesPerSecond) == 0;
            plain[0] = (byte)(keyFrame ? 0x50 : 0x51);
            if (keyFrame) ((byte[])[0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]).CopyTo(plain, 3);
            var sealedFrame = Seal(key, (ulong)frame, SFrameMediaKind.Video, plain);
            int parts = (sealedFrame.Length + MaxPayloadBytes - 1) / MaxPayloadBytes;
            for (int part = 0, offset = 0; part < parts; part++)
            {
                int length = (sealedFrame.Length - offset) / (parts - part);
                var payload = new byte[4 + length];
                payload[0] = (byte)(0x80 | (part == 0 ? 0x10 : 0));
                payload[1] = 0x80;
                BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)(0x8000 | frame & 0x7FFF));
                sealedFrame.AsSpan(offset, length).CopyTo(payload.AsSpan(4));
                offset += length;
                ulong arrival = (ulong)frame * 1_000_000 / VideoFramesPerSecond + (ulong)part * 150;
                packets.Add(Rtp(arrival, part == parts - 1, sequence++, (uint)frame * 3_000, 0x1111, payload));
            }
        }
        return packets;
    }

    private static List<RecordedRtp> Audio(SFrameKey key)
    {
        var packets = new List<RecordedRtp>();
        for (int frame = 0; frame < Seconds * AudioFramesPerSecond; frame++)
        {
            var plain = RandomNumberGenerator.GetBytes(AudioBytesPerFrame);
            plain[0] = 0x78; // TOC: SILK+CELT hybrid, 20 ms, mono, one frame (RFC 6716 §3.1)
            ulong arrival = (ulong)frame * 1_000_000 / AudioFramesPerSecond;
            packets.Add(Rtp(arrival, false, (ushort)frame, (uint)frame * 960, 0x2222, Seal(key, (ulong)frame, SFrameMediaKind.Audio, plain)));
        }
        return packets;
    }

    private static byte[] Seal(SFrameKey key, ulong ctr, SFrameMediaKind kind, byte[] frame)
    {
        var sealedFrame = new byte[SFrameMediaFrame.SealedLength(key, ctr, frame.Length)];
        return sealedFrame[..SFrameMediaFrame.Seal(key, ctr, kind, frame, sealedFrame)];
    }

    private static RecordedRtp Rtp(ulong arrival, bool marker, ushort sequence, uint timestamp, uint ssrc, byte[] payload)
    {
        var packet = new byte[RtpPacket.FixedHeaderLength + payload.Length];
        RtpWriter.TryWritePacket(packet, marker, 96, sequence, timestamp, ssrc, payload, out _);
        return new RecordedRtp(arrival, "peer-alice", ssrc == 0x1111 ? MediaKind.Video : MediaKind.Audio, packet);
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
