using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

public sealed class SFrameHeaderTests
{
    private static IEnumerable<Dictionary<string, string>> HeaderCases() =>
        VectorFiles.Rfc9605AppendixC().Where(block => block.ContainsKey("header"));

    [Fact]
    public void Every_RFC_9605_C1_header_encodes_to_the_printed_bytes()
    {
        int cases = 0;
        foreach (var vector in HeaderCases())
        {
            var header = new SFrameHeader(VectorFiles.Number(vector["kid"]), VectorFiles.Number(vector["ctr"]));
            var written = new byte[SFrameHeader.MaxByteLength];
            int length = header.Write(written);
            Assert.Equal(vector["header"], Convert.ToHexStringLower(written, 0, length));
            Assert.Equal(length, header.ByteLength);
            cases++;
        }
        Assert.Equal(289, cases);
    }

    [Fact]
    public void Every_RFC_9605_C1_header_decodes_to_its_kid_and_ctr()
    {
        foreach (var vector in HeaderCases())
        {
            var bytes = Convert.FromHexString(vector["header"]);
            Assert.True(SFrameHeader.TryRead([.. bytes, 0xAA, 0xBB], out var header));
            Assert.Equal(VectorFiles.Number(vector["kid"]), header.Kid);
            Assert.Equal(VectorFiles.Number(vector["ctr"]), header.Ctr);
            Assert.Equal(bytes.Length, header.ByteLength);
        }
    }

    [Fact]
    public void A_truncated_header_is_refused()
    {
        foreach (var vector in HeaderCases())
        {
            var bytes = Convert.FromHexString(vector["header"]);
            for (int length = 0; length < bytes.Length; length++) Assert.False(SFrameHeader.TryRead(bytes.AsSpan(0, length), out _));
        }
    }

    [Theory]
    [InlineData("8005")]              // KID 5 written after the config byte instead of in it
    [InlineData("900012")]            // KID 0x12 in two bytes with a leading zero
    [InlineData("080312")]            // CTR 3 written after the config byte
    [InlineData("0900ff")]            // CTR 0xff in two bytes
    public void A_header_not_in_the_shortest_form_is_refused(string hex) =>
        Assert.False(SFrameHeader.TryRead(Convert.FromHexString(hex), out _));

    [Fact]
    public void A_destination_too_small_for_the_header_is_an_error()
    {
        var header = new SFrameHeader(0x1234, 0x56789A);
        Assert.Throws<ArgumentException>(() => header.Write(new byte[header.ByteLength - 1]));
    }
}
