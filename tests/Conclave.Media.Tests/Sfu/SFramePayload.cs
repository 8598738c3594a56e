using System.Buffers.Binary;

namespace Conclave.Media.Tests.Sfu;

/// <summary>
/// RTP payloads shaped as a browser's end-to-end encrypted media: a real SFrame header
/// (RFC 9605 §4.3) whose KID carries the MLS epoch's low 8 bits (RFC 9605 §5.2), after the
/// VP8 payload descriptor and clear prefix for video. What follows the header stands for
/// ciphertext and tag; the appliance cannot tell them from any other bytes.
/// Shared with bench/, which has no xunit.
/// </summary>
internal static class SFramePayload
{
    /// <summary>The epoch tests give their rooms unless they test epochs.</summary>
    public const ulong Epoch = 7;

    /// <summary>Chromium's descriptor: X, S=1, PID=0; I; a 15-bit PictureID (RFC 7741 §4.2).</summary>
    public const int Vp8DescriptorLength = 4;

    public const int KeyFramePrefixLength = 10, OtherFramePrefixLength = 3;

    /// <summary>RFC 9605 §5.2's KID: context | sender index (4 bits here) | epoch (8 bits).</summary>
    public static ulong KeyId(ulong epoch, ulong senderIndex = 1, ulong context = 0) =>
        (((context << 4) | senderIndex) << 8) | (epoch & 0xFF);

    /// <summary>Writes the header of RFC 9605 §4.3: values 0–7 in the config byte, others in the fewest big-endian bytes.</summary>
    public static int WriteHeader(Span<byte> destination, ulong keyId, ulong counter)
    {
        int offset = 1;
        byte config = (byte)((Field(keyId, destination, ref offset) << 4) | Field(counter, destination, ref offset));
        destination[0] = config;
        return offset;
    }

    public static byte[] Header(ulong keyId, ulong counter)
    {
        var header = new byte[17];
        return header.AsSpan(0, WriteHeader(header, keyId, counter)).ToArray();
    }

    /// <summary>The config byte's half for one value (X|K or Y|C), writing the value's bytes when it needs them.</summary>
    private static int Field(ulong value, Span<byte> destination, ref int offset)
    {
        if (value < 8) return (int)value;
        int length = (64 - System.Numerics.BitOperations.LeadingZeroCount(value) + 7) / 8;
        for (int i = length - 1; i >= 0; i--) destination[offset++] = (byte)(value >> (8 * i));
        return 0x08 | (length - 1);
    }

    /// <summary>An Opus frame as the sender's transform leaves it: <c>header ‖ ciphertext ‖ tag</c>.</summary>
    public static void WriteAudio(Span<byte> payload, ulong keyId, ulong counter)
    {
        int header = WriteHeader(payload, keyId, counter);
        Fill(payload[header..], (byte)counter);
    }

    /// <summary>
    /// A VP8 packet: the descriptor, and when it starts a frame the clear prefix (10 bytes of
    /// a key frame, 3 of another) and the SFrame header, the rest filler.
    /// </summary>
    public static void WriteVideo(Span<byte> payload, ulong keyId, ulong counter, bool keyFrame = false, bool startsFrame = true, ushort pictureId = 0)
    {
        payload[0] = (byte)(0x80 | (startsFrame ? 0x10 : 0));
        payload[1] = 0x80;
        BinaryPrimitives.WriteUInt16BigEndian(payload[2..], (ushort)(0x8000 | pictureId));
        var frame = payload[Vp8DescriptorLength..];
        if (!startsFrame)
        {
            Fill(frame, (byte)counter);
            return;
        }
        int prefix = WritePrefix(frame, keyFrame);
        int header = WriteHeader(frame[prefix..], keyId, counter);
        Fill(frame[(prefix + header)..], (byte)counter);
    }

    /// <summary>The clear bytes: the frame tag (RFC 6386 §9.1, bit 0 clear on a key frame), and a key frame's start code and size.</summary>
    public static int WritePrefix(Span<byte> frame, bool keyFrame)
    {
        if (!keyFrame)
        {
            frame[0] = 0x31; frame[1] = 0x01; frame[2] = 0x00;
            return OtherFramePrefixLength;
        }
        ReadOnlySpan<byte> keyFrameHeader = [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01]; // 640×480
        keyFrameHeader.CopyTo(frame);
        return KeyFramePrefixLength;
    }

    private static void Fill(Span<byte> bytes, byte seed)
    {
        for (int i = 0; i < bytes.Length; i++) bytes[i] = (byte)(i * 7 + seed);
    }
}
