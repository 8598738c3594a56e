using System.Buffers.Binary;
using Conclave.Testing;

namespace Conclave.Recording.Tests.Export;

/// <summary>
/// Real VP8 and Opus made by Debian's ffmpeg (libvpx, libopus) once per test run: 4 s of a
/// 640×480 test pattern at 30 frames/s with a key frame every 60 frames, tuned as WebRTC runs
/// libvpx (real time, no look-ahead, no hidden alt-ref frames), and 4 s of a 440 Hz tone in
/// 20 ms Opus frames.
/// </summary>
internal sealed class MediaFiles
{
    public const int VideoFrameCount = 120;
    public const uint VideoTicksPerFrame = 3_000;   // 90 kHz / 30
    public const uint AudioTicksPerFrame = 960;     // 48 kHz × 20 ms

    private static readonly Lazy<MediaFiles> Shared = new(Make, LazyThreadSafetyMode.ExecutionAndPublication);

    private MediaFiles(IReadOnlyList<byte[]> videoFrames, IReadOnlyList<byte[]> audioFrames)
    {
        VideoFrames = videoFrames;
        AudioFrames = audioFrames;
    }

    public static MediaFiles Instance => Shared.Value;

    public IReadOnlyList<byte[]> VideoFrames { get; }
    public IReadOnlyList<byte[]> AudioFrames { get; }

    public static bool IsKeyFrame(byte[] frame) => (frame[0] & 1) == 0;

    private static MediaFiles Make()
    {
        string directory = Directory.CreateTempSubdirectory("conclave-webm-media-").FullName;
        try
        {
            string ivf = Path.Combine(directory, "camera.ivf"), ogg = Path.Combine(directory, "microphone.ogg");
            Ffmpeg.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "testsrc2=size=640x480:rate=30", "-t", "4",
                "-c:v", "libvpx", "-b:v", "800k", "-g", "60", "-deadline", "realtime", "-cpu-used", "8",
                "-lag-in-frames", "0", "-auto-alt-ref", "0", "-f", "ivf", ivf).EnsureSuccess();
            Ffmpeg.Run("ffmpeg", "-v", "error", "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "4",
                "-c:a", "libopus", "-b:a", "32k", "-frame_duration", "20", "-f", "ogg", ogg).EnsureSuccess();
            return new MediaFiles(ReadIvf(File.ReadAllBytes(ivf)), ReadOggOpus(File.ReadAllBytes(ogg)));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    /// <summary>IVF: a 32-byte file header, then per frame a 4-byte little-endian size, an 8-byte timestamp and the frame.</summary>
    private static List<byte[]> ReadIvf(byte[] file)
    {
        if (!file.AsSpan(0, 4).SequenceEqual("DKIF"u8)) throw new InvalidDataException("not an IVF file");
        var frames = new List<byte[]>();
        int offset = BinaryPrimitives.ReadUInt16LittleEndian(file.AsSpan(6));
        while (offset + 12 <= file.Length)
        {
            int size = (int)BinaryPrimitives.ReadUInt32LittleEndian(file.AsSpan(offset));
            frames.Add(file.AsSpan(offset + 12, size).ToArray());
            offset += 12 + size;
        }
        return frames;
    }

    /// <summary>
    /// Ogg pages (RFC 3533 §6) joined into packets by their lacing values (a value below 255 ends
    /// a packet), less the OpusHead and OpusTags headers (RFC 7845 §5).
    /// </summary>
    private static List<byte[]> ReadOggOpus(byte[] file)
    {
        var packets = new List<byte[]>();
        var packet = new List<byte>();
        int offset = 0;
        while (offset + 27 <= file.Length)
        {
            if (!file.AsSpan(offset, 4).SequenceEqual("OggS"u8)) throw new InvalidDataException("not an Ogg page");
            int segments = file[offset + 26];
            int data = offset + 27 + segments;
            for (int i = 0; i < segments; i++)
            {
                int lacing = file[offset + 27 + i];
                packet.AddRange(file.AsSpan(data, lacing));
                data += lacing;
                if (lacing < 255)
                {
                    packets.Add([.. packet]);
                    packet.Clear();
                }
            }
            offset = data;
        }
        if (!packets[0].AsSpan().StartsWith("OpusHead"u8) || !packets[1].AsSpan().StartsWith("OpusTags"u8)) throw new InvalidDataException("not Ogg Opus");
        return packets[2..];
    }
}
