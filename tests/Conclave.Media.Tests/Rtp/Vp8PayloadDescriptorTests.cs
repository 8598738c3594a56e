using Conclave.Media.Rtp;

namespace Conclave.Media.Tests.Rtp;

public sealed class Vp8PayloadDescriptorTests
{
    /// <summary>RFC 7741 §4.2's forms: descriptor bytes, then one byte of VP8 payload.</summary>
    public static TheoryData<string, bool, int, int> Descriptors => new()
    {
        { "10" + "9d", true, 0, 1 },                  // S=1, PID=0, no extension
        { "00" + "9d", false, 0, 1 },                 // a continuation
        { "13" + "9d", true, 3, 1 },                  // the start of partition 3
        { "90" + "00" + "9d", true, 0, 2 },           // X with no optional field
        { "90" + "80" + "12" + "9d", true, 0, 3 },    // I, a 7-bit PictureID
        { "90" + "80" + "8123" + "9d", true, 0, 4 },  // I, a 15-bit PictureID (M), as Chromium sends
        { "80" + "e0" + "8123" + "05" + "40" + "9d", false, 0, 6 }, // I (M), L, T: every field
        { "90" + "50" + "05" + "20" + "9d", true, 0, 4 },           // L and K, without I
    };

    [Theory]
    [MemberData(nameof(Descriptors))]
    public void The_descriptor_says_where_the_frame_starts_and_where_the_vp8_payload_begins_RFC_7741_section_4_2(
        string hex, bool startOfPartition, int partitionIndex, int length)
    {
        Assert.True(Vp8PayloadDescriptor.TryParse(Convert.FromHexString(hex), out var descriptor));

        Assert.Equal(startOfPartition, descriptor.StartOfPartition);
        Assert.Equal(partitionIndex, descriptor.PartitionIndex);
        Assert.Equal(length, descriptor.Length);
        Assert.Equal(startOfPartition && partitionIndex == 0, descriptor.StartsFrame);
    }

    public static TheoryData<string, int> DescriptorLengths
    {
        get
        {
            var lengths = new TheoryData<string, int>();
            foreach (var row in Descriptors) lengths.Add((string)row[0], (int)row[3]);
            return lengths;
        }
    }

    [Theory]
    [MemberData(nameof(DescriptorLengths))]
    public void A_descriptor_cut_short_does_not_parse(string hex, int length)
    {
        var bytes = Convert.FromHexString(hex);
        for (int cut = 0; cut < length; cut++)
        {
            Assert.False(Vp8PayloadDescriptor.TryParse(bytes.AsSpan(0, cut), out _), $"{cut} of {length} descriptor bytes parsed");
        }
    }
}
