using System.Buffers.Binary;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// Payloads that look enough like VP8 (RFC 7741 §4.2: a payload descriptor with S set,
/// then the frame's first byte, P clear on a key frame) and Opus (RFC 7587: one TOC byte)
/// for an SFU that never decodes, and that name their maker: bytes 1–8 carry the
/// sending participant's origin tag, so a receiver can tell whose packet an SSRC carried.
/// </summary>
internal static class SyntheticPayload
{
    private const int TagOffset = 1;
    private const int TagLength = 8;

    /// <summary>VP8 payload descriptor: X=0, N=0, S=1, PID=0.</summary>
    private const byte Vp8StartOfPartition = 0x10;

    /// <summary>Opus TOC: config 15 (SILK+CELT hybrid, 20 ms), mono, one frame.</summary>
    private const byte OpusToc = 0x78;

    public static void WriteVideo(Span<byte> payload, ulong originTag, bool keyFrame)
    {
        payload.Clear();
        payload[0] = Vp8StartOfPartition;
        BinaryPrimitives.WriteUInt64BigEndian(payload[TagOffset..], originTag);
        payload[TagOffset + TagLength] = keyFrame ? (byte)0x00 : (byte)0x01;
    }

    public static void WriteAudio(Span<byte> payload, ulong originTag)
    {
        payload.Clear();
        payload[0] = OpusToc;
        BinaryPrimitives.WriteUInt64BigEndian(payload[TagOffset..], originTag);
    }

    public static ulong OriginOf(ReadOnlySpan<byte> payload) =>
        payload.Length < TagOffset + TagLength ? 0 : BinaryPrimitives.ReadUInt64BigEndian(payload[TagOffset..]);
}
