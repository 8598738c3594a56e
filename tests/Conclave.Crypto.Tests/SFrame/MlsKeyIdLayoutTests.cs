using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

public sealed class MlsKeyIdLayoutTests
{
    [Theory]
    [InlineData(1L, 1)]
    [InlineData(2L, 1)]
    [InlineData(3L, 2)]
    [InlineData(4L, 2)]
    [InlineData(5L, 3)]
    [InlineData(64L, 6)]
    [InlineData(65L, 7)]
    [InlineData(1L << 32, 32)]
    public void Sender_bits_are_the_fewest_at_least_one_that_number_every_leaf(long leafCount, int senderBits) =>
        Assert.Equal(senderBits, MlsKeyIdLayout.SenderBitsForLeafCount(leafCount));

    [Theory]
    [InlineData(0L)]
    [InlineData((1L << 32) + 1)]
    public void A_leaf_count_outside_an_MLS_tree_is_an_error(long leafCount) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => MlsKeyIdLayout.SenderBitsForLeafCount(leafCount));

    /// <summary>RFC 9605 §5.2, figure "An Example Sequence of KIDs for an MLS-based SFrame Session (E=4; S=6)".</summary>
    [Theory]
    [InlineData(14UL, 3U, 0UL, 0x3eUL)]
    [InlineData(14UL, 7U, 0UL, 0x7eUL)]
    [InlineData(14UL, 20U, 0UL, 0x14eUL)]
    [InlineData(15UL, 3U, 0UL, 0x3fUL)]
    [InlineData(15UL, 5U, 0UL, 0x5fUL)]
    [InlineData(16UL, 2U, 2UL, 0x820UL)]
    [InlineData(16UL, 2U, 3UL, 0xc20UL)]
    [InlineData(17UL, 33U, 0UL, 0x211UL)]
    [InlineData(17UL, 51U, 0UL, 0x331UL)]
    public void The_KIDs_of_the_RFC_9605_example_sequence_are_composed_and_parsed(ulong epoch, uint senderIndex, ulong context, ulong kid)
    {
        var layout = new MlsKeyIdLayout(senderBits: 6, epochBits: 4);
        Assert.Equal(kid, layout.KeyId(context, senderIndex, epoch));
        Assert.Equal(new MlsKeyId(context, senderIndex, epoch % 16), layout.Parse(kid));
    }

    [Fact]
    public void Conclave_layouts_carry_the_epoch_low_8_bits_under_the_sender_and_the_stream_context_above()
    {
        var layout = MlsKeyIdLayout.ForLeafCount(5);
        Assert.Equal(3, layout.SenderBits);
        Assert.Equal(8, layout.EpochBits);
        ulong kid = layout.KeyId((ulong)SFrameStreamContext.ScreenVideo, 4, 0x1_0000_0102);
        Assert.Equal(2UL << 11 | 4UL << 8 | 0x02, kid);
        Assert.Equal(new MlsKeyId((ulong)SFrameStreamContext.ScreenVideo, 4, 0x02), layout.Parse(kid));
    }

    [Fact]
    public void A_32_bit_sender_index_fits_a_32_bit_layout()
    {
        var layout = new MlsKeyIdLayout(32);
        ulong kid = layout.KeyId((ulong)SFrameStreamContext.FileOffer, uint.MaxValue, 7);
        Assert.Equal(new MlsKeyId(6, uint.MaxValue, 7), layout.Parse(kid));
    }

    [Fact]
    public void A_sender_index_or_context_too_wide_for_the_layout_is_an_error()
    {
        var layout = MlsKeyIdLayout.ForLeafCount(4);
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.KeyId(0, 4, 0));
        Assert.Throws<ArgumentOutOfRangeException>(() => layout.KeyId(1UL << layout.ContextBits, 0, 0));
        Assert.Equal((1UL << 54) - 1, layout.KeyId((1UL << layout.ContextBits) - 1, 3, 0) >> 10);
    }

    [Fact]
    public void Streams_and_senders_of_one_epoch_get_distinct_keys_from_the_one_epoch_secret()
    {
        var epochSecret = Convert.FromHexString("00112233445566778899aabbccddeeff");
        var layout = MlsKeyIdLayout.ForLeafCount(3);
        var sealedFrames = new HashSet<string>();
        foreach (uint sender in new uint[] { 0, 1, 2 })
        {
            foreach (var context in new[] { SFrameStreamContext.Microphone, SFrameStreamContext.Camera, SFrameStreamContext.Chat })
            {
                using var key = SFrameKey.FromBaseKey(epochSecret, layout.KeyId((ulong)context, sender, 1));
                var output = new byte[key.SealedLength(0, 16)];
                key.Seal(0, [], new byte[16], output);
                Assert.True(sealedFrames.Add(Convert.ToHexString(output.AsSpan(output.Length - 32))));
            }
        }
    }
}
