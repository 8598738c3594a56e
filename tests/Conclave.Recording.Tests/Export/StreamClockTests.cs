using Conclave.Recording.Export;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Export;

public sealed class StreamClockTests
{
    [Fact]
    public void An_ntp_timestamp_is_seconds_and_a_binary_fraction()
    {
        Assert.Equal(3_900_000_000L * 1_000_000 + 500_000, StreamClock.NtpToMicroseconds(3_900_000_000UL << 32 | 0x8000_0000));
    }

    [Fact]
    public void By_arrival_the_frame_that_arrived_least_late_anchors_the_clock()
    {
        // 20 ms frames at 48 kHz; the second frame came through with 2 ms of delay, the others later.
        List<AssembledFrame> frames = [Frame(960, 10_000), Frame(1_920, 22_000), Frame(2_880, 45_000)];

        var clock = StreamClock.FromArrival(frames, 48_000);

        Assert.Equal(2_000, clock.ToMicroseconds(960));
        Assert.Equal(42_000, clock.ToMicroseconds(2_880));
    }

    [Fact]
    public void A_sender_report_ties_the_stream_to_ntp_time_even_from_across_a_timestamp_wrap()
    {
        // Frames just past 2^32; the report's 32-bit timestamp is from just before the wrap.
        List<AssembledFrame> frames = [Frame((1L << 32) + 3_000, 1_000_000), Frame((1L << 32) + 6_000, 1_033_000)];
        var report = new RecordedSenderReport(990_000, "peer-alice", 1, 100UL << 32, uint.MaxValue - 5_999);

        var clock = StreamClock.FromSenderReport(report, frames, 90_000);

        Assert.Equal(100_000_000L + 100_000, clock.ToMicroseconds((1L << 32) + 3_000));
    }

    private static AssembledFrame Frame(long rtpTimestamp, ulong arrival) => new(rtpTimestamp, arrival, 0, 1, true, false);
}
