using Conclave.Recording.Export;

namespace Conclave.Recording.Tests.Export;

public sealed class Vp8FrameHeaderTests
{
    [Fact]
    public void A_key_frame_header_gives_its_width_and_height()
    {
        // RFC 6386 §9.1: frame tag (bit 0 = 0: key frame), start code 9d 01 2a, then 14-bit width and height little-endian.
        byte[] frame = [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01, 0xFF];

        Assert.True(Vp8FrameHeader.IsKeyFrame(frame));
        Assert.True(Vp8FrameHeader.TryReadDimensions(frame, out int width, out int height));
        Assert.Equal((640, 480), (width, height));
    }

    [Fact]
    public void The_two_scale_bits_above_each_size_are_not_part_of_it()
    {
        byte[] frame = [0x50, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0xC2, 0xE0, 0x41];

        Assert.True(Vp8FrameHeader.TryReadDimensions(frame, out int width, out int height));
        Assert.Equal((640, 480), (width, height));
    }

    [Fact]
    public void A_delta_frame_or_a_header_without_the_start_code_has_no_size()
    {
        Assert.False(Vp8FrameHeader.IsKeyFrame([0x51, 0x42, 0x00]));
        Assert.False(Vp8FrameHeader.TryReadDimensions([0x51, 0x42, 0x00, 0x9D, 0x01, 0x2A, 0x80, 0x02, 0xE0, 0x01], out _, out _));
        Assert.False(Vp8FrameHeader.TryReadDimensions([0x50, 0x42, 0x00, 0x9D, 0x01, 0x2B, 0x80, 0x02, 0xE0, 0x01], out _, out _));
    }
}

public sealed class OpusHeadTests
{
    [Fact]
    public void The_identification_header_is_the_19_bytes_of_rfc_7845()
    {
        byte[] expected = [.. "OpusHead"u8, 1, 2, 0x38, 0x01, 0x80, 0xBB, 0x00, 0x00, 0, 0, 0];

        Assert.Equal(expected, OpusHead.Create(channels: 2));
    }

    [Fact]
    public void The_toc_bytes_s_bit_says_stereo()
    {
        Assert.True(OpusHead.IsStereo([0xFC, 0x00]));
        Assert.False(OpusHead.IsStereo([0x78, 0x00]));
    }
}
