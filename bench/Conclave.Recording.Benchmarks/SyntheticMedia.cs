using System.Buffers.Binary;
using System.Security.Cryptography;
using Conclave.Crypto.SFrame;
using Conclave.Media.Rtp;

namespace Conclave.Recording.Benchmarks;

/// <summary>One RTP packet of a synthetic participant, when it reaches the recorder (µs from the start).</summary>
internal readonly record struct SyntheticPacket(ulong ArrivalUs, SFrameMediaKind Kind, byte[] Packet);

/// <summary>
/// A participant's camera and microphone as the recorder sees them, without an encoder: VP8 at 30
/// frames/s and 800 kbit/s with a key frame every 2 s, split into ≤1,200-byte packets with a
/// 15-bit PictureID as Chromium does; Opus in 20 ms frames at 32 kbit/s; every frame SFrame-sealed
/// as the browser's worker does. The frames' bytes are random behind valid VP8 and Opus headers:
/// an export reads headers, never decodes.
/// </summary>
internal static class SyntheticMedia
{
    public const int VideoFramesPerSecond = 30, AudioFramesPerSecond = 50;
    private const int VideoBytesPerFrame = 800_000 / 8 / VideoFramesPerSecond, AudioBytesPerFrame = 32_000 / 8 / AudioFramesPerSecond;
    private const int MaxPayloadBytes = 1_200;

    /// <param name="keyAt">The sender's key for a stream at a capture time (µs), e.g. by epoch.</param>
    public static List<SyntheticPacket> Packets(int seconds, uint videoSsrc, uint audioSsrc, Func<SFrameMediaKind, ulong, SFrameKey> keyAt)
    {
        var counters = new Dictionary<SFrameKey, ulong>();
        var packets = new List<SyntheticPacket>();
        ushort sequence = 0;
        for (int frame = 0; frame < seconds * VideoFramesPerSecond; frame++)
        {
            ulong capture = (ulong)frame * 1_000_000 / VideoFramesPerSecond;
            var plain = RandomNumberGenerator.GetBytes(VideoBytesPerFrame);
            bool keyFrame = frame % (2 * VideoFramesPerSecond) == 0;
            plain[0] = (byte)(keyFrame ? 0x50 : 0x51);
            if (keyFrame) ((byte[])[0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]).CopyTo(plain, 3);
            var sealedFrame = Seal(keyAt(SFrameMediaKind.Video, capture), counters, SFrameMediaKind.Video, plain);
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
                packets.Add(new SyntheticPacket(capture + (ulong)part * 150, SFrameMediaKind.Video, Rtp(part == parts - 1, sequence++, (uint)frame * 3_000, videoSsrc, payload)));
            }
        }
        for (int frame = 0; frame < seconds * AudioFramesPerSecond; frame++)
        {
            ulong capture = (ulong)frame * 1_000_000 / AudioFramesPerSecond;
            var plain = RandomNumberGenerator.GetBytes(AudioBytesPerFrame);
            plain[0] = 0x78; // TOC: SILK+CELT hybrid, 20 ms, mono, one frame (RFC 6716 §3.1)
            var sealedFrame = Seal(keyAt(SFrameMediaKind.Audio, capture), counters, SFrameMediaKind.Audio, plain);
            packets.Add(new SyntheticPacket(capture, SFrameMediaKind.Audio, Rtp(false, (ushort)frame, (uint)frame * 960, audioSsrc, sealedFrame)));
        }
        packets.Sort((a, b) => a.ArrivalUs.CompareTo(b.ArrivalUs));
        return packets;
    }

    private static byte[] Seal(SFrameKey key, Dictionary<SFrameKey, ulong> counters, SFrameMediaKind kind, byte[] frame)
    {
        counters.TryGetValue(key, out ulong ctr);
        counters[key] = ctr + 1;
        var sealedFrame = new byte[SFrameMediaFrame.SealedLength(key, ctr, frame.Length)];
        return sealedFrame[..SFrameMediaFrame.Seal(key, ctr, kind, frame, sealedFrame)];
    }

    private static byte[] Rtp(bool marker, ushort sequence, uint timestamp, uint ssrc, byte[] payload)
    {
        var packet = new byte[RtpPacket.FixedHeaderLength + payload.Length];
        RtpWriter.TryWritePacket(packet, marker, 96, sequence, timestamp, ssrc, payload, out _);
        return packet;
    }
}
