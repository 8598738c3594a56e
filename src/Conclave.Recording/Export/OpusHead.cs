using System.Buffers.Binary;

namespace Conclave.Recording.Export;

/// <summary>
/// The Opus identification header (RFC 7845 §5.1) that Matroska's A_OPUS carries as CodecPrivate:
/// "OpusHead", version 1, channel count, pre-skip, the input's sample rate, output gain 0 and
/// channel mapping family 0 (mono or stereo, no table): 19 bytes.
/// </summary>
internal static class OpusHead
{
    public const int Length = 19;

    /// <summary>
    /// libopus's encoder look-ahead at 48 kHz (RFC 7845 §4.2 asks for it as pre-skip; it is what
    /// Chromium's encoder adds), also the Matroska CodecDelay.
    /// </summary>
    public const int PreSkipSamples = 312;

    public const int SampleRate = 48_000;

    public static byte[] Create(int channels)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(channels, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(channels, 2);
        var head = new byte[Length];
        "OpusHead"u8.CopyTo(head);
        head[8] = 1;
        head[9] = (byte)channels;
        BinaryPrimitives.WriteUInt16LittleEndian(head.AsSpan(10), PreSkipSamples);
        BinaryPrimitives.WriteUInt32LittleEndian(head.AsSpan(12), SampleRate);
        // Output gain 0 (bytes 16–17) and mapping family 0 (byte 18) are the zeros already there.
        return head;
    }

    /// <summary>The TOC byte's s bit (RFC 6716 §3.1): 1 when the packet is coded in stereo.</summary>
    public static bool IsStereo(ReadOnlySpan<byte> packet) => !packet.IsEmpty && (packet[0] & 0x04) != 0;
}
