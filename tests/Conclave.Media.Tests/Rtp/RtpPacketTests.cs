using System.Buffers.Binary;
using Conclave.Media.Rtp;
using CsCheck;

namespace Conclave.Media.Tests.Rtp;

public sealed class RtpPacketTests
{
    private static byte[] Packet(int csrcs, byte[]? extension, ushort profile, int payload, int padding)
    {
        int extensionBytes = extension is null ? 0 : 4 + extension.Length;
        var packet = new byte[12 + 4 * csrcs + extensionBytes + payload + padding];
        packet[0] = (byte)(0x80 | (padding > 0 ? 0x20 : 0) | (extension is null ? 0 : 0x10) | csrcs);
        packet[1] = 0x80 | 96;
        BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(2), 0xFFFE);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(4), 0xCAFEBABE);
        BinaryPrimitives.WriteUInt32BigEndian(packet.AsSpan(8), 0x01020304);
        int offset = 12 + 4 * csrcs;
        if (extension is not null)
        {
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset), profile);
            BinaryPrimitives.WriteUInt16BigEndian(packet.AsSpan(offset + 2), (ushort)(extension.Length / 4));
            extension.CopyTo(packet, offset + 4);
            offset += extensionBytes;
        }
        for (int i = 0; i < payload; i++) packet[offset + i] = (byte)(i + 1);
        if (padding > 0) packet[^1] = (byte)padding;
        return packet;
    }

    [Fact]
    public void Fixed_header_fields_csrcs_and_padding_RFC_3550_section_5_1()
    {
        var bytes = Packet(csrcs: 2, extension: null, profile: 0, payload: 10, padding: 3);
        Assert.True(RtpPacket.TryParse(bytes, out var rtp));
        Assert.True(rtp.Marker);
        Assert.Equal(96, rtp.PayloadType);
        Assert.Equal(0xFFFE, rtp.SequenceNumber);
        Assert.Equal(0xCAFEBABE, rtp.Timestamp);
        Assert.Equal(0x01020304u, rtp.Ssrc);
        Assert.Equal(2, rtp.CsrcCount);
        Assert.Equal(20, rtp.HeaderLength);
        Assert.Equal(3, rtp.PaddingLength);
        Assert.Equal(Enumerable.Range(1, 10).Select(i => (byte)i).ToArray(), rtp.Payload.ToArray());
    }

    [Fact]
    public void One_byte_extensions_skip_padding_and_stop_at_id_15_RFC_8285_section_4_2()
    {
        // id 1 (2 bytes), a padding byte, id 3 (1 byte), id 15 stops, an "id 5" after it must not be found.
        var elements = new byte[] { 0x11, 0xAA, 0xBB, 0x00, 0x30, 0xCC, 0xF0, 0x50, 0xDD, 0x00, 0x00, 0x00 };
        var bytes = Packet(0, elements, RtpPacket.OneByteExtensionProfile, 4, 0);
        Assert.True(RtpPacket.TryParse(bytes, out var rtp));
        Assert.True(rtp.TryGetExtension(1, out var one));
        Assert.Equal(new byte[] { 0xAA, 0xBB }, one.ToArray());
        Assert.True(rtp.TryGetExtension(3, out var three));
        Assert.Equal(new byte[] { 0xCC }, three.ToArray());
        Assert.False(rtp.TryGetExtension(5, out _));
        Assert.Equal(4, rtp.Payload.Length);
    }

    [Fact]
    public void Two_byte_extensions_RFC_8285_section_4_3()
    {
        var elements = new byte[] { 0x07, 0x00, 0x00, 0x09, 0x03, 0x01, 0x02, 0x03, 0x00, 0x00, 0x00, 0x00 };
        var bytes = Packet(0, elements, 0x1000, 4, 0);
        Assert.True(RtpPacket.TryParse(bytes, out var rtp));
        Assert.True(rtp.TryGetExtension(7, out var empty));
        Assert.Equal(0, empty.Length);
        Assert.True(rtp.TryGetExtension(9, out var nine));
        Assert.Equal(new byte[] { 1, 2, 3 }, nine.ToArray());
    }

    [Fact]
    public void Without_extensions_and_rtx_produce_packets_that_parse_RFC_4588()
    {
        var bytes = Packet(1, new byte[] { 0x31, 0x12, 0x34, 0x00 }, RtpPacket.OneByteExtensionProfile, 20, 2);
        var stripped = new byte[100];
        Assert.True(RtpWriter.TryWriteWithoutExtensions(bytes, stripped, out int length));
        Assert.True(RtpPacket.TryParse(stripped.AsSpan(0, length), out var plain));
        Assert.False(plain.HasExtension);
        Assert.Equal(0, plain.PaddingLength);
        Assert.True(RtpPacket.TryParse(bytes, out var original));
        Assert.Equal(original.Payload.ToArray(), plain.Payload.ToArray());

        var rtx = new byte[100];
        Assert.True(RtpWriter.TryWriteRtx(stripped.AsSpan(0, length), 97, 0xABCDEF01, 42, rtx, out int rtxLength));
        Assert.True(RtpPacket.TryParse(rtx.AsSpan(0, rtxLength), out var retransmission));
        Assert.Equal(97, retransmission.PayloadType);
        Assert.Equal(0xABCDEF01u, retransmission.Ssrc);
        Assert.Equal(42, retransmission.SequenceNumber);
        Assert.Equal(0xFFFE, BinaryPrimitives.ReadUInt16BigEndian(retransmission.Payload));
        Assert.Equal(original.Payload.ToArray(), retransmission.Payload[2..].ToArray());
        Assert.Equal(original.Timestamp, retransmission.Timestamp);
    }

    [Fact]
    public void Write_then_parse_round_trips()
    {
        Gen.Select(Gen.Bool, Gen.Byte[0, 127], Gen.UShort, Gen.UInt, Gen.UInt, Gen.Byte.Array[0, 1200]).Sample((marker, pt, seq, ts, ssrc, payload) =>
        {
            var buffer = new byte[1300];
            Assert.True(RtpWriter.TryWritePacket(buffer, marker, pt, seq, ts, ssrc, payload, out int length));
            Assert.True(RtpPacket.TryParse(buffer.AsSpan(0, length), out var rtp));
            Assert.Equal((marker, pt, seq, ts, ssrc), (rtp.Marker, rtp.PayloadType, rtp.SequenceNumber, rtp.Timestamp, rtp.Ssrc));
            Assert.Equal(payload, rtp.Payload.ToArray());
        }, iter: 500);
    }

    [Fact]
    public void Random_bytes_and_truncations_never_throw_or_mutate()
    {
        var valid = Packet(2, new byte[] { 0x11, 0xAA, 0xBB, 0x00 }, RtpPacket.OneByteExtensionProfile, 30, 2);
        for (int length = 0; length <= valid.Length; length++)
        {
            if (RtpPacket.TryParse(valid.AsSpan(0, length), out var rtp)) _ = rtp.TryGetExtension(1, out _);
        }
        Gen.Byte.Array[0, 100].Sample(bytes =>
        {
            if (bytes.Length > 0) bytes[0] = (byte)(0x80 | (bytes[0] & 0x3F));
            var before = (byte[])bytes.Clone();
            if (RtpPacket.TryParse(bytes, out var rtp))
            {
                for (byte id = 0; id < 16; id++) _ = rtp.TryGetExtension(id, out _);
                _ = rtp.Payload.Length;
            }
            _ = RtpWriter.TryWriteWithoutExtensions(bytes, new byte[200], out _);
            Assert.Equal(before, bytes);
        }, iter: 5000);
    }

    [Fact]
    public void The_header_length_counts_csrcs_and_the_extension_but_not_padding_which_SRTP_encrypts()
    {
        var bytes = Packet(csrcs: 2, new byte[] { 0x11, 0xAA, 0xBB, 0x00 }, RtpPacket.OneByteExtensionProfile, payload: 10, padding: 3);
        Assert.True(RtpHeader.TryGetLength(bytes, out int headerLength));
        Assert.Equal(12 + 8 + 4 + 4, headerLength);
        Assert.True(RtpPacket.TryParse(bytes, out var rtp));
        Assert.Equal(headerLength, rtp.HeaderLength);

        bytes[^1] = 0; // a padding count of 0 is invalid in plaintext, but here it could be ciphertext
        Assert.False(RtpPacket.TryParse(bytes, out _));
        Assert.True(RtpHeader.TryGetLength(bytes, out headerLength));
        Assert.Equal(28, headerLength);
    }

    [Fact]
    public void A_header_that_runs_past_the_packet_has_no_length()
    {
        var bytes = Packet(csrcs: 3, new byte[] { 0x11, 0xAA, 0xBB, 0x00 }, RtpPacket.OneByteExtensionProfile, payload: 0, padding: 0);
        Assert.True(RtpHeader.TryGetLength(bytes, out _));
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(RtpHeader.TryGetLength(bytes.AsSpan(0, length), out _), $"{length} bytes");
        }
    }

    [Theory]
    [InlineData(0xFFFF, 0x0000, true)]
    [InlineData(0x0000, 0xFFFF, false)]
    [InlineData(100, 99, false)]
    [InlineData(99, 100, true)]
    [InlineData(0x0001, 0x8000, true)]
    [InlineData(0x8000, 0x0001, false)]
    public void Sequence_numbers_compare_across_the_wrap(ushort a, ushort b, bool expectedBNewerThanA)
    {
        Assert.Equal(expectedBNewerThanA, SequenceNumber.IsNewer(b, a));
    }

    [Theory]
    [InlineData(0xFFFE, 3, 0x0001)]
    [InlineData(0x0001, -3, 0xFFFE)]
    [InlineData(100, 0, 100)]
    [InlineData(0x0000, 0x7FFF, 0x7FFF)]
    [InlineData(0x0000, -0x8000, 0x8000)]
    public void Steps_forward_and_back_wrap_and_distance_undoes_them(ushort from, int steps, ushort expected)
    {
        Assert.Equal(expected, SequenceNumber.Add(from, steps));
        Assert.Equal(steps, SequenceNumber.Distance(from, expected));
    }
}
