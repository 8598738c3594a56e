using System.Security.Cryptography;
using System.Text;
using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

/// <summary>
/// Makes tests/vectors/sframe/from-csharp.json, which src/Conclave.Web/client/test/sframe.test.ts
/// checks the TypeScript client against. Every input comes from fixed seeds, so it always makes
/// the same file; SFrameCrossVectorTests holds the committed file to that and rewrites it when
/// CONCLAVE_WRITE_SFRAME_VECTORS=1 (tests/vectors/sframe/README.md).
/// </summary>
internal static class SFrameVectorGenerator
{
    public const string FileName = "from-csharp.json";

    private sealed record Case(
        string Name, int LeafCount, uint SenderIndex, SFrameStreamContext Context, ulong Epoch, ulong Ctr, string Kind, byte[] Plaintext,
        byte[]? Metadata = null, int? TamperAt = null, bool Opens = true);

    public static SFrameCrossVectorFile Make()
    {
        Case[] cases =
        [
            new("audio: microphone, sender 1 of 2 leaves, epoch 7", 2, 1, SFrameStreamContext.Microphone, 7, 0, "audio", Seeded("opus a", 60)),
            new("audio: screen audio, sender 40 of 41 leaves, counter 2^16", 41, 40, SFrameStreamContext.ScreenAudio, 19, 1UL << 16, "audio", Seeded("opus b", 200)),
            new("audio at the last counter a sender may use (2^64-2), epoch 2^63", 5, 4, SFrameStreamContext.Microphone, 1UL << 63, ulong.MaxValue - 1, "audio", Seeded("opus c", 1)),
            new("VP8 key frame: camera, 1,100 bytes, the only leaf", 1, 0, SFrameStreamContext.Camera, 0, 0, "video", Vp8("vp8 key a", keyFrame: true, 1100)),
            new("VP8 key frame: screen video, sender 5 of 8 leaves, epoch 2^33", 8, 5, SFrameStreamContext.ScreenVideo, 1UL << 33, 300, "video", Vp8("vp8 key b", keyFrame: true, 5000)),
            new("VP8 delta frame: camera, sender 3 of 4 leaves, epoch 255", 4, 3, SFrameStreamContext.Camera, 255, 0x1234, "video", Vp8("vp8 delta a", keyFrame: false, 700)),
            new("VP8 delta frame exactly its 3-byte prefix", 4, 2, SFrameStreamContext.Camera, 256, 9, "video", Vp8("vp8 delta b", keyFrame: false, 3)),
            new("VP8 key frame of 9 bytes, shorter than its prefix", 4, 2, SFrameStreamContext.Camera, 256, 10, "video", Vp8("vp8 key c", keyFrame: true, 9), Opens: false),
            new("VP8 delta frame of 2 bytes, shorter than its prefix", 4, 1, SFrameStreamContext.ScreenVideo, 256, 11, "video", Vp8("vp8 delta c", keyFrame: false, 2), Opens: false),
            new("empty VP8 frame", 4, 1, SFrameStreamContext.Camera, 256, 12, "video", [], Opens: false),
            new("chat message: data key, context 4, no metadata", 3, 2, SFrameStreamContext.Chat, 40, 2, "none", Encoding.UTF8.GetBytes("{\"text\":\"hello from C#\"}"), Metadata: []),
            new("file offer with metadata", 16, 15, SFrameStreamContext.FileOffer, 41, 0, "none", Seeded("file offer", 120), Metadata: Encoding.UTF8.GetBytes("offer 1")),
            new("tampered: VP8 delta frame with a clear prefix byte changed", 2, 0, SFrameStreamContext.Camera, 8, 20, "video", Vp8("vp8 delta d", keyFrame: false, 400), TamperAt: 2),
            new("tampered: audio frame with its first ciphertext byte changed", 2, 1, SFrameStreamContext.Microphone, 8, 21, "audio", Seeded("opus d", 80), TamperAt: 3),
            new("tampered: VP8 key frame with its tag's last byte changed", 2, 0, SFrameStreamContext.Camera, 8, 22, "video", Vp8("vp8 key d", keyFrame: true, 900), TamperAt: -1),
            new("tampered: chat message with its CTR changed", 2, 1, SFrameStreamContext.Chat, 8, 23, "none", Encoding.UTF8.GetBytes("{\"text\":\"changed ctr\"}"), Metadata: [], TamperAt: 2),
        ];
        var vectors = new List<SFrameCrossVector>();
        foreach (var c in cases) vectors.Add(Vector(c));
        return new SFrameCrossVectorFile(
            "SFrame frames sealed by src/Conclave.Crypto/SFrame (tests/Conclave.Crypto.Tests/SFrame/SFrameVectorGenerator.cs), checked by src/Conclave.Web/client/test/sframe.test.ts; tests/vectors/sframe/README.md",
            vectors);
    }

    private static SFrameCrossVector Vector(Case c)
    {
        var kind = SFrameCrossVectors.MediaKind(c.Kind);
        var metadata = kind is { } mediaKind ? c.Plaintext[..SFrameMediaFrame.ClearPrefixLength(mediaKind, c.Plaintext)] : c.Metadata ?? [];
        var inputs = new SFrameCrossVector(
            c.Name, Convert.ToHexStringLower(Seeded("epoch secret: " + c.Name, 16)), c.LeafCount, c.SenderIndex, (ulong)c.Context,
            SFrameCrossVectors.NumberText(c.Epoch), SFrameCrossVectors.NumberText(c.Ctr), c.Kind, Convert.ToHexStringLower(metadata),
            Convert.ToHexStringLower(c.Plaintext), "", "", null);
        var sealedBytes = SFrameCrossVectors.Seal(inputs);
        var received = (byte[])sealedBytes.Clone();
        if (c.TamperAt is int at) received[(at + received.Length) % received.Length] ^= 0x04;
        var (opened, _) = SFrameCrossVectors.Open(inputs, received);
        bool mustOpen = c.TamperAt is null && c.Opens;
        if ((opened is not null) != mustOpen) throw new InvalidOperationException($"{c.Name}: {(mustOpen ? "did not open" : "opened")}");
        if (opened is not null && !opened.AsSpan().SequenceEqual(c.Plaintext)) throw new InvalidOperationException($"{c.Name}: opened to other bytes");
        return inputs with
        {
            Sealed = Convert.ToHexStringLower(sealedBytes),
            Received = Convert.ToHexStringLower(received),
            Opened = opened is null ? null : Convert.ToHexStringLower(opened),
        };
    }

    /// <summary>Deterministic bytes: SHA-256(seed ‖ ":" ‖ block number) blocks.</summary>
    internal static byte[] Seeded(string seed, int length)
    {
        var output = new byte[length];
        for (int block = 0; block * 32 < length; block++)
        {
            var digest = SHA256.HashData(Encoding.UTF8.GetBytes($"{seed}:{block}"));
            digest.AsSpan(0, Math.Min(32, length - block * 32)).CopyTo(output.AsSpan(block * 32));
        }
        return output;
    }

    private static byte[] Vp8(string seed, bool keyFrame, int length)
    {
        var frame = Seeded(seed, length);
        frame[0] = (byte)(keyFrame ? frame[0] & 0xFE : frame[0] | 0x01);
        return frame;
    }
}
