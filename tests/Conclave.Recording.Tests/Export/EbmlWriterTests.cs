using Conclave.Recording.Export;

namespace Conclave.Recording.Tests.Export;

public sealed class EbmlWriterTests
{
    [Theory]
    // RFC 8794 §4: the length marker bit, then the value; a value whose bits are all ones would read as "unknown" (§6.2).
    [InlineData(0L, new byte[] { 0x80 })]
    [InlineData(2L, new byte[] { 0x82 })]
    [InlineData(126L, new byte[] { 0xFE })]
    [InlineData(127L, new byte[] { 0x40, 0x7F })]
    [InlineData(16_382L, new byte[] { 0x7F, 0xFE })]
    [InlineData(16_383L, new byte[] { 0x20, 0x3F, 0xFF })]
    public void A_size_takes_the_fewest_bytes_that_do_not_spell_unknown(long size, byte[] expected)
    {
        var written = new byte[8];
        int length = EbmlWriter.WriteSize(written, size);

        Assert.Equal(expected, written[..length]);
    }

    [Fact]
    public void A_size_can_be_written_at_a_fixed_length_as_rfc_8794_allows()
    {
        var written = new byte[8];

        Assert.Equal(8, EbmlWriter.WriteSize(written, 2, 8));
        Assert.Equal(new byte[] { 0x01, 0, 0, 0, 0, 0, 0, 0x02 }, written);
    }

    [Fact]
    public void Integers_take_their_fewest_bytes_and_ids_keep_their_marker_bits()
    {
        using var output = new MemoryStream();
        var writer = new EbmlWriter(output);

        writer.WriteUInt(0x2AD7B1, 1_000_000);
        writer.WriteUInt(0xD7, 0);

        Assert.Equal(new byte[] { 0x2A, 0xD7, 0xB1, 0x83, 0x0F, 0x42, 0x40, 0xD7, 0x81, 0x00 }, output.ToArray());
    }

    [Fact]
    public void A_master_element_gets_its_size_written_over_its_placeholder_when_it_ends()
    {
        using var output = new MemoryStream();
        var writer = new EbmlWriter(output);

        long master = writer.StartMaster(0x1F43B675);
        writer.WriteString(0x4282, "webm");
        writer.EndMaster(master);

        Assert.Equal(new byte[] { 0x1F, 0x43, 0xB6, 0x75, 0x01, 0, 0, 0, 0, 0, 0, 0x07, 0x42, 0x82, 0x84, (byte)'w', (byte)'e', (byte)'b', (byte)'m' }, output.ToArray());
        Assert.Equal(output.Length, output.Position);
    }

    [Fact]
    public void A_float_is_eight_bytes_that_can_be_written_over()
    {
        using var output = new MemoryStream();
        var writer = new EbmlWriter(output);

        long value = writer.WriteFloat(0x4489, 0);
        writer.WriteUInt(0xE7, 1);
        writer.PatchFloat(value, 4_000);

        Assert.Equal(new byte[] { 0x44, 0x89, 0x88, 0x40, 0xAF, 0x40, 0, 0, 0, 0, 0, 0xE7, 0x81, 0x01 }, output.ToArray());
    }
}
