using Conclave.Media.Rtp;
using Conclave.Media.Sdp;
using Conclave.Recording.Export;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Export;

public sealed class Vp8FrameAssemblerTests
{
    // RFC 7741 §4.2 descriptors: S with a 15-bit PictureID; a 7-bit PictureID; TL0PICIDX and TID/KEYIDX; the bare first byte.
    private static readonly byte[] StartWithLongPictureId = [0x90, 0x80, 0x81, 0x23];
    private static readonly byte[] ShortPictureId = [0x80, 0x80, 0x05];
    private static readonly byte[] LayerIndices = [0x80, 0x70, 0x12, 0x40];
    private static readonly byte[] Bare = [0x00];
    private static readonly byte[] BareStart = [0x10];

    [Fact]
    public void Parts_of_a_frame_join_in_sequence_order_without_their_descriptors_whatever_order_or_copies_they_arrive_in()
    {
        var parts = new[]
        {
            Vp8(100, 9000, false, StartWithLongPictureId, [1, 2, 3]),
            Vp8(101, 9000, false, ShortPictureId, [4, 5]),
            Vp8(102, 9000, false, LayerIndices, [6]),
            Vp8(103, 9000, true, Bare, [7, 8, 9]),
        };
        var packets = new[] { parts[2], parts[0], parts[3], parts[1], parts[0], parts[3] };

        var stream = Assemble(packets);

        var frame = Assert.Single(stream.Frames);
        Assert.True(frame.Complete);
        Assert.False(frame.AfterLoss);
        Assert.Equal(0, stream.PacketsLost);
        Assert.Equal(new byte[] { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, Bytes(packets, stream, frame));
    }

    [Fact]
    public void A_missing_middle_packet_leaves_its_frame_incomplete_and_counts_as_lost()
    {
        var stream = Assemble([
            Vp8(10, 3000, false, BareStart, [1]),
            Vp8(12, 3000, true, Bare, [3]),
            Vp8(13, 6000, true, BareStart, [4]),
        ]);

        Assert.Equal([(false, false), (true, false)], stream.Frames.Select(f => (f.Complete, f.AfterLoss)));
        Assert.Equal(1, stream.PacketsLost);
    }

    [Fact]
    public void A_frame_whose_first_packet_is_missing_is_incomplete()
    {
        var stream = Assemble([
            Vp8(10, 3000, true, BareStart, [1]),
            Vp8(12, 6000, true, Bare, [3]),
            Vp8(13, 9000, true, BareStart, [4]),
        ]);

        Assert.Equal([true, false, true], stream.Frames.Select(f => f.Complete));
        Assert.Equal(1, stream.PacketsLost);
    }

    [Fact]
    public void A_frame_lost_whole_marks_the_next_frame_as_following_a_loss()
    {
        var stream = Assemble([
            Vp8(10, 3000, true, BareStart, [1]),
            Vp8(12, 9000, true, BareStart, [3]),
        ]);

        Assert.Equal([(true, false), (true, true)], stream.Frames.Select(f => (f.Complete, f.AfterLoss)));
        Assert.Equal(1, stream.PacketsLost);
    }

    [Fact]
    public void A_frame_cut_off_by_the_next_frames_start_is_incomplete()
    {
        var stream = Assemble([
            Vp8(10, 3000, false, BareStart, [1]),
            Vp8(11, 6000, true, BareStart, [2]),
        ]);

        Assert.Equal([false, true], stream.Frames.Select(f => f.Complete));
        Assert.Equal(0, stream.PacketsLost);
    }

    [Fact]
    public void Sequence_numbers_and_timestamps_keep_their_order_across_their_wraps()
    {
        var packets = new[]
        {
            Vp8(65_534, uint.MaxValue - 2_999, true, BareStart, [1]),
            Vp8(65_535, 0, false, BareStart, [2]),
            Vp8(0, 0, true, Bare, [3]),
            Vp8(1, 3_000, true, BareStart, [4]),
        };

        var stream = Assemble([packets[3], packets[1], packets[0], packets[2]]);

        Assert.Equal([uint.MaxValue - 2999L, uint.MaxValue + 1L, uint.MaxValue + 3001L], stream.Frames.Select(f => f.RtpTimestamp));
        Assert.Equal(new byte[] { 2, 3 }, Bytes([packets[3], packets[1], packets[0], packets[2]], stream, stream.Frames[1]));
        Assert.Equal(0, stream.PacketsLost);
    }

    [Fact]
    public void A_frame_takes_the_arrival_of_its_earliest_packet()
    {
        var stream = Assemble([
            Vp8(11, 3000, true, Bare, [2], arrival: 500),
            Vp8(10, 3000, false, BareStart, [1], arrival: 700),
        ]);

        Assert.Equal(500ul, Assert.Single(stream.Frames).ArrivalMicroseconds);
    }

    internal const string Publisher = "peer-alice";

    internal static RecordedRtp Vp8(ushort sequence, uint timestamp, bool marker, byte[] descriptor, byte[] data, ulong arrival = 0) =>
        Rtp(sequence, timestamp, marker, [.. descriptor, .. data], arrival);

    internal static RecordedRtp Rtp(ushort sequence, uint timestamp, bool marker, byte[] payload, ulong arrival = 0)
    {
        var packet = new byte[RtpPacket.FixedHeaderLength + payload.Length];
        RtpWriter.TryWritePacket(packet, marker, 96, sequence, timestamp, 0xABCD, payload, out _);
        return new RecordedRtp(arrival, Publisher, MediaKind.Video, packet);
    }

    internal static byte[] Bytes(IReadOnlyList<RecordedRtp> packets, AssembledStream stream, AssembledFrame frame)
    {
        var bytes = new byte[stream.FrameLength(frame)];
        stream.CopyFrame(packets, frame, bytes);
        return bytes;
    }

    private static AssembledStream Assemble(RecordedRtp[] packets) => Vp8FrameAssembler.Assemble(packets, Assert.Single(OrderedRtpStream.Split(packets)));
}

public sealed class OpusFrameAssemblerTests
{
    [Fact]
    public void Each_packet_is_one_whole_frame_and_a_missing_one_marks_the_next_as_following_a_loss()
    {
        RecordedRtp[] packets =
        [
            Vp8FrameAssemblerTests.Rtp(7, 960, false, [0x78, 1, 2]),
            Vp8FrameAssemblerTests.Rtp(8, 1920, false, [0x78, 3]),
            Vp8FrameAssemblerTests.Rtp(10, 3840, false, [0x78, 5]),
        ];

        var stream = OpusFrameAssembler.Assemble(packets, Assert.Single(OrderedRtpStream.Split(packets)));

        Assert.Equal([false, false, true], stream.Frames.Select(f => f.AfterLoss));
        Assert.Equal(new byte[] { 0x78, 1, 2 }, Vp8FrameAssemblerTests.Bytes(packets, stream, stream.Frames[0]));
        Assert.Equal([960L, 1920L, 3840L], stream.Frames.Select(f => f.RtpTimestamp));
        Assert.Equal(1, stream.PacketsLost);
    }
}

public sealed class OrderedRtpStreamTests
{
    [Fact]
    public void Packets_split_by_ssrc_in_order_of_first_arrival_and_what_is_not_rtp_is_left_out()
    {
        var first = Vp8FrameAssemblerTests.Rtp(1, 0, false, [1]);
        var other = new byte[13];
        RtpWriter.TryWritePacket(other, false, 96, 5, 0, 0x1234, [2], out _);
        RecordedRtp[] packets = [new(0, Vp8FrameAssemblerTests.Publisher, MediaKind.Video, [0x00, 1, 2]), new(1, Vp8FrameAssemblerTests.Publisher, MediaKind.Video, other), first];

        var streams = OrderedRtpStream.Split(packets);

        Assert.Equal([0x1234u, 0xABCDu], streams.Select(s => s.Ssrc));
        Assert.Equal([1], streams[0].PacketIndices);
        Assert.Equal([2], streams[1].PacketIndices);
    }
}
