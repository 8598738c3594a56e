using System.Buffers.Binary;

namespace Conclave.Recording.Export;

/// <summary>
/// The uncompressed data chunk that starts every VP8 frame (RFC 6386 §9.1): a 3-byte frame tag
/// whose bit 0 is 0 for a key frame; a key frame goes on with the start code 9d 01 2a and two
/// little-endian 16-bit fields, each a 14-bit size in pixels under a 2-bit scale.
/// </summary>
internal static class Vp8FrameHeader
{
    private const int KeyFrameHeaderLength = 10;
    private const int SizeMask = 0x3FFF;

    public static bool IsKeyFrame(ReadOnlySpan<byte> frame) => !frame.IsEmpty && (frame[0] & 1) == 0;

    /// <summary>The key frame's width and height; false for a delta frame or a header without the start code.</summary>
    public static bool TryReadDimensions(ReadOnlySpan<byte> frame, out int width, out int height)
    {
        width = height = 0;
        if (frame.Length < KeyFrameHeaderLength || !IsKeyFrame(frame)) return false;
        if (frame[3] != 0x9D || frame[4] != 0x01 || frame[5] != 0x2A) return false;
        width = BinaryPrimitives.ReadUInt16LittleEndian(frame[6..]) & SizeMask;
        height = BinaryPrimitives.ReadUInt16LittleEndian(frame[8..]) & SizeMask;
        return true;
    }
}
