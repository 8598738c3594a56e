using Conclave.Media.Rtp;
using Conclave.Media.Tests.Sfu;
using CsCheck;

namespace Conclave.Media.Tests.Rtp;

public sealed class SFrameHeaderViewTests
{
    /// <summary>RFC 9605 Appendix C.1 (header encoding and decoding): KID, CTR, header.</summary>
    public static TheoryData<ulong, ulong, string> Rfc9605Vectors => new()
    {
        { 0x0000000000000000, 0x0000000000000000, "00" },
        { 0x0000000000000000, 0x0000000000000001, "01" },
        { 0x0000000000000000, 0x00000000000000ff, "08ff" },
        { 0x0000000000000000, 0x0000000000010000, "0a010000" },
        { 0x0000000000000001, 0x0000000000000000, "10" },
        { 0x00000000000000ff, 0x0000000000000000, "80ff" },
        { 0x00000000000000ff, 0x0000000000000001, "81ff" },
        { 0x00000000000000ff, 0x00000000000000ff, "88ffff" },
        { 0x0000000000000100, 0x0000000000000100, "9901000100" },
        { 0xffffffffffffffff, 0x0000000000000000, "f0ffffffffffffffff" },
        { 0xffffffffffffffff, 0xffffffffffffffff, "ffffffffffffffffffffffffffffffffff" },
    };

    [Theory]
    [MemberData(nameof(Rfc9605Vectors))]
    public void The_rfc_9605_appendix_c1_headers_read_as_their_kid_and_ctr(ulong keyId, ulong counter, string hex)
    {
        var bytes = Convert.FromHexString(hex);

        Assert.True(SFrameHeaderView.TryParse([.. bytes, 0xAB, 0xCD], out var header));

        Assert.Equal(keyId, header.KeyId);
        Assert.Equal(counter, header.Counter);
        Assert.Equal(bytes.Length, header.Length);
    }

    [Theory]
    [MemberData(nameof(Rfc9605Vectors))]
    public void The_test_helper_writes_the_rfc_9605_appendix_c1_headers(ulong keyId, ulong counter, string hex) =>
        Assert.Equal(hex, Convert.ToHexStringLower(SFramePayload.Header(keyId, counter)));

    public static TheoryData<string> Rfc9605Headers => new(Rfc9605Vectors.Select(row => (string)row[2]));

    [Theory]
    [MemberData(nameof(Rfc9605Headers))]
    public void A_header_cut_short_does_not_parse(string hex)
    {
        var bytes = Convert.FromHexString(hex);
        for (int length = 0; length < bytes.Length; length++)
        {
            Assert.False(SFrameHeaderView.TryParse(bytes.AsSpan(0, length), out _), $"{length} of {bytes.Length} bytes parsed");
        }
    }

    [Fact]
    public void Any_kid_and_ctr_written_read_back_the_same()
    {
        Gen.Select(Gen.ULong, Gen.ULong).Sample((keyId, counter) =>
        {
            var bytes = SFramePayload.Header(keyId, counter);
            return SFrameHeaderView.TryParse(bytes, out var header)
                && header.KeyId == keyId && header.Counter == counter && header.Length == bytes.Length;
        });
    }
}
