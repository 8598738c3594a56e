using System.Buffers.Binary;
using Conclave.Crypto.SFrame;
using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Export;

/// <summary>One recorded RTP packet with where it came from, so a test can lose, reorder, repeat or spoil it.</summary>
internal sealed record TestPacket(int Frame, int PacketInFrame, ulong ArrivalMicroseconds, byte[] Bytes);

/// <summary>
/// A participant's camera and microphone as the recorder stores them: each frame sealed as the
/// browser's worker does (docs/e2ee.md) and packetized as Chromium does — VP8 with a payload
/// descriptor carrying a 15-bit PictureID (RFC 7741 §4.2), the frame split into equal parts of at
/// most 1,200 bytes; Opus one frame per packet (RFC 7587). Sequence numbers and timestamps start
/// just before their wrap, so every export crosses both.
/// </summary>
internal sealed class RecordedParticipant : IDisposable
{
    public const uint VideoSsrc = 0x1111_2222, AudioSsrc = 0x3333_4444;
    public const int MaxPayloadBytes = 1_200;
    public const byte Vp8PayloadType = 96, OpusPayloadType = 111;
    /// <summary>The 10th video frame's timestamp wraps past 2^32, and the 20th packet's sequence number past 65535.</summary>
    public const uint FirstVideoTimestamp = uint.MaxValue - 10 * MediaFiles.VideoTicksPerFrame + 1, FirstAudioTimestamp = uint.MaxValue - 200 * MediaFiles.AudioTicksPerFrame + 1;
    public const ushort FirstVideoSequence = 65_516, FirstAudioSequence = 65_000;
    /// <summary>Network delay from capture to the recorder.</summary>
    public const ulong DelayMicroseconds = 12_000;
    public const string PublisherPeerId = "peer-alice";

    private readonly ulong _audioExtraDelayMicroseconds;

    public RecordedParticipant(Func<int, ulong>? videoEpoch = null, Func<int, ulong>? audioEpoch = null, ulong audioStartMicroseconds = 0, ulong audioExtraDelayMicroseconds = 0, int? videoFrames = null, int? audioFrames = null,
        TestEscrow? escrow = null)
    {
        var media = MediaFiles.Instance;
        Escrow = escrow ?? new TestEscrow();
        AudioStartMicroseconds = audioStartMicroseconds;
        _audioExtraDelayMicroseconds = audioExtraDelayMicroseconds;
        Video = PacketizeVp8(media.VideoFrames.Take(videoFrames ?? media.VideoFrames.Count).ToList(), videoEpoch ?? (_ => 6));
        Audio = PacketizeOpus(media.AudioFrames.Take(audioFrames ?? media.AudioFrames.Count).ToList(), audioEpoch ?? (_ => 6));
    }

    public TestEscrow Escrow { get; }
    public List<TestPacket> Video { get; set; }
    public List<TestPacket> Audio { get; set; }
    public List<RecordedSenderReport> SenderReports { get; } = [];
    public ulong AudioStartMicroseconds { get; }

    public static ulong VideoCaptureMicroseconds(int frame) => (ulong)frame * 100_000 / 3;

    public ulong AudioCaptureMicroseconds(int frame) => AudioStartMicroseconds + (ulong)frame * 20_000;

    /// <summary>
    /// A sender report per stream one second in, as Chromium sends them: the NTP time of that
    /// instant on the capture clock, starting at <paramref name="ntpSeconds"/>, with each stream's RTP timestamp of it.
    /// </summary>
    public void AddSenderReports(ulong ntpSeconds)
    {
        const long at = 1_000_000;
        ulong ntp = (ntpSeconds + at / 1_000_000) << 32;
        ulong arrival = (ulong)at + DelayMicroseconds;
        SenderReports.Add(new RecordedSenderReport(arrival, PublisherPeerId, VideoSsrc, ntp, unchecked((uint)(FirstVideoTimestamp + at * 90 / 1000))));
        SenderReports.Add(new RecordedSenderReport(arrival, PublisherPeerId, AudioSsrc, ntp, unchecked((uint)(FirstAudioTimestamp + (at - (long)AudioStartMicroseconds) * 48 / 1000))));
    }

    public ParticipantMedia Media() => new(
        Video.Select(p => new RecordedRtp(p.ArrivalMicroseconds, PublisherPeerId, MediaKind.Video, p.Bytes)).ToList(),
        Audio.Select(p => new RecordedRtp(p.ArrivalMicroseconds, PublisherPeerId, MediaKind.Audio, p.Bytes)).ToList(),
        SenderReports);

    public void Dispose() => Escrow.Dispose();

    private List<TestPacket> PacketizeVp8(List<byte[]> frames, Func<int, ulong> epoch)
    {
        var packets = new List<TestPacket>();
        ushort sequence = FirstVideoSequence;
        for (int frame = 0; frame < frames.Count; frame++)
        {
            var sealedFrame = Escrow.Seal(SFrameMediaKind.Video, epoch(frame), frames[frame]);
            int parts = (sealedFrame.Length + MaxPayloadBytes - 1) / MaxPayloadBytes;
            int offset = 0;
            for (int part = 0; part < parts; part++)
            {
                int length = (sealedFrame.Length - offset) / (parts - part);
                // X=1, S on the first part, PID 0; I=1; M=1 with a 15-bit PictureID.
                var payload = new byte[4 + length];
                payload[0] = (byte)(0x80 | (part == 0 ? 0x10 : 0));
                payload[1] = 0x80;
                BinaryPrimitives.WriteUInt16BigEndian(payload.AsSpan(2), (ushort)(0x8000 | (frame + 1000) & 0x7FFF));
                sealedFrame.AsSpan(offset, length).CopyTo(payload.AsSpan(4));
                offset += length;
                uint timestamp = FirstVideoTimestamp + (uint)frame * MediaFiles.VideoTicksPerFrame;
                ulong arrival = VideoCaptureMicroseconds(frame) + DelayMicroseconds + (ulong)part * 150;
                packets.Add(new TestPacket(frame, part, arrival, Rtp(part == parts - 1, Vp8PayloadType, sequence++, timestamp, VideoSsrc, payload)));
            }
        }
        return packets;
    }

    private List<TestPacket> PacketizeOpus(List<byte[]> frames, Func<int, ulong> epoch)
    {
        var packets = new List<TestPacket>();
        for (int frame = 0; frame < frames.Count; frame++)
        {
            var sealedFrame = Escrow.Seal(SFrameMediaKind.Audio, epoch(frame), frames[frame]);
            uint timestamp = FirstAudioTimestamp + (uint)frame * MediaFiles.AudioTicksPerFrame;
            ulong arrival = AudioCaptureMicroseconds(frame) + DelayMicroseconds + _audioExtraDelayMicroseconds;
            packets.Add(new TestPacket(frame, 0, arrival, Rtp(frame == 0, OpusPayloadType, (ushort)(FirstAudioSequence + frame), timestamp, AudioSsrc, sealedFrame)));
        }
        return packets;
    }

    private static byte[] Rtp(bool marker, byte payloadType, ushort sequence, uint timestamp, uint ssrc, byte[] payload)
    {
        var packet = new byte[RtpPacket.FixedHeaderLength + payload.Length];
        RtpWriter.TryWritePacket(packet, marker, payloadType, sequence, timestamp, ssrc, payload, out _);
        return packet;
    }
}
