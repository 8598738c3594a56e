using Conclave.Media.Transport;

namespace Conclave.Media.Tests.Transport;

/// <summary>RFC 7983 §7 first-byte ranges and RFC 5761 §4 RTP/RTCP split.</summary>
public sealed class DatagramClassifierTests
{
    [Theory]
    [InlineData(0, DatagramKind.Stun)]
    [InlineData(3, DatagramKind.Stun)]
    [InlineData(4, DatagramKind.Unknown)]
    [InlineData(19, DatagramKind.Unknown)]
    [InlineData(20, DatagramKind.Dtls)]
    [InlineData(63, DatagramKind.Dtls)]
    [InlineData(64, DatagramKind.Unknown)]
    [InlineData(127, DatagramKind.Unknown)]
    [InlineData(192, DatagramKind.Unknown)]
    [InlineData(255, DatagramKind.Unknown)]
    public void First_byte_ranges_follow_RFC_7983(byte first, DatagramKind expected)
    {
        Assert.Equal(expected, DatagramClassifier.Classify([first, 0, 0, 0]));
    }

    [Theory]
    [InlineData(96, DatagramKind.Rtp)]        // VP8, no marker
    [InlineData(96 | 0x80, DatagramKind.Rtp)] // VP8 with marker (224)
    [InlineData(111, DatagramKind.Rtp)]
    [InlineData(200, DatagramKind.Rtcp)]      // SR
    [InlineData(201, DatagramKind.Rtcp)]      // RR
    [InlineData(205, DatagramKind.Rtcp)]      // RTPFB
    [InlineData(206, DatagramKind.Rtcp)]      // PSFB
    public void Rtp_and_rtcp_are_told_apart_by_the_second_byte_RFC_5761_section_4(byte second, DatagramKind expected)
    {
        Assert.Equal(expected, DatagramClassifier.Classify([0x80, second, 0, 0]));
    }

    [Fact]
    public void Empty_and_one_byte_datagrams_are_unknown()
    {
        Assert.Equal(DatagramKind.Unknown, DatagramClassifier.Classify([]));
        Assert.Equal(DatagramKind.Unknown, DatagramClassifier.Classify([0x80]));
    }
}
