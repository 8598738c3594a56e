using System.Buffers.Binary;
using Conclave.Media.Rtp;
using CsCheck;

namespace Conclave.Media.Tests.Rtp;

/// <summary>An RTX packet (RFC 4588 §4) restored in place to the packet it retransmits.</summary>
public sealed class RtxPacketTests
{
    private const byte Vp8 = 96, Rtx = 97;
    private const uint MediaSsrc = 0x01020304, RtxSsrc = 0xABCDEF01;

    /// <summary>
    /// A Chromium-shaped original: marker, one CSRC, a one-byte-form extension (transport-wide
    /// sequence number), payload and padding, so every part of the header has to survive.
    /// </summary>
    private static byte[] Original(ushort sequenceNumber, int payloadBytes = 20, int paddingBytes = 2)
    {
        var packet = new byte[12 + 4 + 8 + payloadBytes + paddingBytes];
        packet[0] = (byte)(0x80 | (paddingBytes > 0 ? 0x20 : 0) | 0x10 | 1);
        packet[1] = 0x80 | Vp8;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), sequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0xCAFEBABE);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), MediaSsrc);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(12), 0x0C0C0C0C);
        byte[] extension = [0xBE, 0xDE, 0x00, 0x01, 0x31, 0x12, 0x34, 0x00];
        extension.CopyTo(packet, 16);
        for (int i = 0; i < payloadBytes; i++) packet[24 + i] = (byte)(i + 1);
        if (paddingBytes > 0) packet[^1] = (byte)paddingBytes;
        return packet;
    }

    /// <summary>What the publisher sends for <paramref name="original"/>: RTX's PT, sequence number and SSRC, the OSN before the payload.</summary>
    private static byte[] RtxFor(byte[] original, ushort rtxSequenceNumber)
    {
        const int headerLength = 24;
        var rtx = new byte[original.Length + 2];
        original.AsSpan(0, headerLength).CopyTo(rtx);
        rtx[1] = (byte)((original[1] & 0x80) | Rtx);
        BinaryPrimitives.WriteUInt16BigEndian(rtx.AsSpan(2), rtxSequenceNumber);
        BinaryPrimitives.WriteUInt32BigEndian(rtx.AsSpan(8), RtxSsrc);
        original.AsSpan(2, 2).CopyTo(rtx.AsSpan(headerLength));
        original.AsSpan(headerLength).CopyTo(rtx.AsSpan(headerLength + 2));
        return rtx;
    }

    [Fact]
    public void Restoring_gives_back_the_original_byte_for_byte_with_its_csrcs_extension_marker_timestamp_and_padding()
    {
        var original = Original(0xFFFE);
        var rtx = RtxFor(original, 42);

        Assert.True(RtxPacket.TryRestoreInPlace(rtx, Vp8, MediaSsrc, out int offset));

        Assert.Equal(original, rtx.AsSpan(offset).ToArray());
    }

    [Fact]
    public void What_the_sfu_sends_subscribers_as_rtx_restores_to_what_it_forwarded()
    {
        Gen.Select(Gen.UShort, Gen.UShort, Gen.Int[0, 1200], Gen.Bool).Sample((sequenceNumber, rtxSequenceNumber, payloadBytes, marker) =>
        {
            var forwarded = new byte[12 + payloadBytes];
            Assert.True(RtpWriter.TryWritePacket(forwarded, marker, Vp8, sequenceNumber, 90_000, MediaSsrc, Original(0, payloadBytes, 0).AsSpan(24), out _));
            var rtx = new byte[forwarded.Length + 2];
            Assert.True(RtpWriter.TryWriteRtx(forwarded, Rtx, RtxSsrc, rtxSequenceNumber, rtx, out int written));
            Assert.Equal(rtx.Length, written);

            Assert.True(RtxPacket.TryRestoreInPlace(rtx, Vp8, MediaSsrc, out int offset));

            Assert.Equal(forwarded, rtx.AsSpan(offset).ToArray());
        }, iter: 300);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void A_payload_too_short_for_the_original_sequence_number_is_refused_and_left_as_it_was(int payloadBytes)
    {
        var rtx = new byte[12 + payloadBytes];
        Assert.True(RtpWriter.TryWritePacket(rtx, false, Rtx, 7, 90_000, RtxSsrc, new byte[payloadBytes], out _));
        var before = rtx.ToArray();

        Assert.False(RtxPacket.TryRestoreInPlace(rtx, Vp8, MediaSsrc, out _));

        Assert.Equal(before, rtx);
    }

    [Fact]
    public void Padding_does_not_count_as_the_original_sequence_number()
    {
        var rtx = Original(5, payloadBytes: 1, paddingBytes: 4); // one byte of payload, then padding

        Assert.False(RtxPacket.TryRestoreInPlace(rtx, Vp8, MediaSsrc, out _));
    }
}
