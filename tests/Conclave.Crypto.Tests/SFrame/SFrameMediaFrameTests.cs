using System.Security.Cryptography;
using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

public sealed class SFrameMediaFrameTests
{
    private static readonly byte[] EpochSecret = Convert.FromHexString("a0a1a2a3a4a5a6a7a8a9aaabacadaeaf");

    private static SFrameKey CameraKey() => SFrameKey.FromBaseKey(EpochSecret, MlsKeyIdLayout.ForLeafCount(2).KeyId((ulong)SFrameStreamContext.Camera, 1, 3));

    private static byte[] Vp8Frame(bool keyFrame, int length)
    {
        var frame = RandomNumberGenerator.GetBytes(length);
        frame[0] = (byte)(keyFrame ? frame[0] & 0xFE : frame[0] | 0x01);
        return frame;
    }

    private static byte[] Seal(SFrameKey key, ulong ctr, SFrameMediaKind kind, byte[] frame)
    {
        var output = new byte[SFrameMediaFrame.SealedLength(key, ctr, frame.Length)];
        Assert.Equal(output.Length, SFrameMediaFrame.Seal(key, ctr, kind, frame, output));
        return output;
    }

    [Theory]
    [InlineData(SFrameMediaKind.Audio, 0x00, 100, 0)]
    [InlineData(SFrameMediaKind.Video, 0x00, 100, 10)]
    [InlineData(SFrameMediaKind.Video, 0x9c, 100, 10)]
    [InlineData(SFrameMediaKind.Video, 0x01, 100, 3)]
    [InlineData(SFrameMediaKind.Video, 0x31, 100, 3)]
    [InlineData(SFrameMediaKind.Video, 0x00, 6, 6)]
    [InlineData(SFrameMediaKind.Video, 0x01, 2, 2)]
    [InlineData(SFrameMediaKind.Video, 0x01, 3, 3)]
    public void The_clear_prefix_is_10_bytes_for_a_VP8_key_frame_3_for_a_delta_frame_none_for_audio_never_more_than_the_frame(
        SFrameMediaKind kind, byte firstByte, int length, int prefixLength)
    {
        var frame = new byte[length];
        frame[0] = firstByte;
        Assert.Equal(prefixLength, SFrameMediaFrame.ClearPrefixLength(kind, frame));
    }

    [Fact]
    public void An_empty_video_frame_has_no_prefix() =>
        Assert.Equal(0, SFrameMediaFrame.ClearPrefixLength(SFrameMediaKind.Video, []));

    [Theory]
    [InlineData(true, 1100)]
    [InlineData(false, 1100)]
    [InlineData(true, 10)]
    [InlineData(false, 3)]
    public void A_VP8_frame_keeps_its_prefix_clear_and_opens_to_the_original_frame(bool keyFrame, int length)
    {
        using var key = CameraKey();
        var frame = Vp8Frame(keyFrame, length);
        var output = Seal(key, 42, SFrameMediaKind.Video, frame);
        int prefixLength = keyFrame ? 10 : 3;
        Assert.Equal(frame[..prefixLength], output[..prefixLength]);
        Assert.True(SFrameMediaFrame.TryReadHeader(SFrameMediaKind.Video, output, out var header));
        Assert.Equal(new SFrameHeader(key.Kid, 42), header);
        if (length > prefixLength + 16) Assert.Equal(-1, output.AsSpan(prefixLength).IndexOf(frame.AsSpan(prefixLength, 16)));
        var opened = new byte[output.Length];
        Assert.True(SFrameMediaFrame.TryOpen(key, SFrameMediaKind.Video, output, opened, out int openedLength));
        Assert.Equal(frame, opened[..openedLength]);
    }

    [Fact]
    public void An_audio_frame_is_encrypted_whole_and_opens_to_the_original_frame()
    {
        using var key = CameraKey();
        var frame = RandomNumberGenerator.GetBytes(120);
        var output = Seal(key, 7, SFrameMediaKind.Audio, frame);
        Assert.True(SFrameHeader.TryRead(output, out var header));
        Assert.Equal(new SFrameHeader(key.Kid, 7), header);
        Assert.Equal(frame, SFrameMediaFrame.Open(key, SFrameMediaKind.Audio, output));
    }

    [Fact]
    public void A_changed_byte_in_the_clear_prefix_fails_authentication()
    {
        using var key = CameraKey();
        var output = Seal(key, 1, SFrameMediaKind.Video, Vp8Frame(keyFrame: true, 500));
        for (int i = 1; i < 10; i++)
        {
            var tampered = (byte[])output.Clone();
            tampered[i] ^= 0x20;
            Assert.Null(SFrameMediaFrame.Open(key, SFrameMediaKind.Video, tampered));
        }
    }

    [Fact]
    public void A_key_frame_made_to_look_like_a_delta_frame_fails_authentication()
    {
        using var key = CameraKey();
        var output = Seal(key, 1, SFrameMediaKind.Video, Vp8Frame(keyFrame: true, 500));
        output[0] |= 0x01;
        Assert.Null(SFrameMediaFrame.Open(key, SFrameMediaKind.Video, output));
    }

    [Fact]
    public void A_video_frame_shorter_than_its_prefix_is_sealed_whole_as_the_prefix_and_refused_on_opening()
    {
        using var key = CameraKey();
        var frame = Vp8Frame(keyFrame: true, 6);
        var output = Seal(key, 5, SFrameMediaKind.Video, frame);
        Assert.Equal(frame, output[..6]);
        Assert.Equal(6 + new SFrameHeader(key.Kid, 5).ByteLength + SFrameKey.TagBytes, output.Length);
        Assert.Null(SFrameMediaFrame.Open(key, SFrameMediaKind.Video, output));
    }

    [Fact]
    public void A_received_frame_too_short_for_an_SFrame_header_has_none()
    {
        Assert.False(SFrameMediaFrame.TryReadHeader(SFrameMediaKind.Video, [0x00, 1, 2, 3, 4, 5, 6, 7, 8, 9], out _));
        Assert.False(SFrameMediaFrame.TryReadHeader(SFrameMediaKind.Video, [], out _));
        Assert.False(SFrameMediaFrame.TryReadHeader(SFrameMediaKind.Audio, [], out _));
    }
}
