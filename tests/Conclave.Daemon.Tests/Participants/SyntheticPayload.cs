using System.Buffers.Binary;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// Payloads shaped enough like end-to-end encrypted VP8 and Opus for an SFU that never
/// decrypts: for VP8 a payload descriptor with S set (RFC 7741 §4.2), the frame's first
/// byte with P clear on a key frame and the rest of its clear prefix (10 bytes of a key
/// frame, 3 of another); then, for both, an SFrame header under MLS epoch 0 (RFC 9605
/// §4.3: config byte 0, KID 0, CTR 0). They name their maker: the last 8 bytes carry the
/// sending participant's origin tag, so a receiver can tell whose packet an SSRC carried.
/// </summary>
internal static class SyntheticPayload
{
    private const int TagLength = 8;

    /// <summary>VP8 payload descriptor: X=0, N=0, S=1, PID=0.</summary>
    private const byte Vp8StartOfPartition = 0x10;

    /// <summary>RFC 9605 §4.3: X=0, KID 0; Y=0, CTR 0.</summary>
    private const byte SFrameHeaderEpochZero = 0x00;

    public static void WriteVideo(Span<byte> payload, ulong originTag, bool keyFrame)
    {
        payload.Clear();
        payload[0] = Vp8StartOfPartition;
        payload[1] = keyFrame ? (byte)0x00 : (byte)0x01;
        payload[1 + (keyFrame ? 10 : 3)] = SFrameHeaderEpochZero;
        BinaryPrimitives.WriteUInt64BigEndian(payload[^TagLength..], originTag);
    }

    public static void WriteAudio(Span<byte> payload, ulong originTag)
    {
        payload.Clear();
        payload[0] = SFrameHeaderEpochZero;
        BinaryPrimitives.WriteUInt64BigEndian(payload[^TagLength..], originTag);
    }

    public static ulong OriginOf(ReadOnlySpan<byte> payload) =>
        payload.Length < TagLength ? 0 : BinaryPrimitives.ReadUInt64BigEndian(payload[^TagLength..]);
}
