using Conclave.Recording.Export;

namespace Conclave.Recording.Tests.Export;

public sealed class RtpTimestampUnrollerTests
{
    [Fact]
    public void Timestamps_go_on_past_two_to_the_32_instead_of_wrapping_to_zero()
    {
        var unroller = new RtpTimestampUnroller();

        Assert.Equal(uint.MaxValue - 1_000L, unroller.Unroll(uint.MaxValue - 1_000));
        Assert.Equal((1L << 32) + 2_000, unroller.Unroll(2_000));
        Assert.Equal((1L << 32) + 5_000, unroller.Unroll(5_000));
    }

    [Fact]
    public void A_timestamp_a_little_older_than_the_last_stays_behind_it()
    {
        var unroller = new RtpTimestampUnroller();
        unroller.Unroll(1_000);

        Assert.Equal(-2_000L, unroller.Unroll(uint.MaxValue - 1_999));
    }
}
