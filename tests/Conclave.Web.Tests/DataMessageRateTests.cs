using Conclave.Web.Signalling;

namespace Conclave.Web.Tests;

public sealed class DataMessageRateTests
{
    [Fact]
    public void Twenty_data_messages_pass_in_a_second_and_the_twenty_first_does_not()
    {
        var rate = new DataMessageRate(20);
        for (int i = 0; i < 20; i++) Assert.True(rate.TryTake(1_000 + i));

        Assert.False(rate.TryTake(1_500));
    }

    [Fact]
    public void No_second_ever_holds_more_than_the_limit_even_across_a_burst_at_its_edge()
    {
        var rate = new DataMessageRate(20);
        var accepted = new List<long>();
        for (long now = 0; now < 5_000; now += 7)
        {
            if (rate.TryTake(now)) accepted.Add(now);
        }

        foreach (long start in accepted) Assert.True(accepted.Count(t => t >= start && t < start + 1_000) <= 20);
        Assert.True(accepted.Count >= 5 * 20 - 20);
    }

    [Fact]
    public void A_message_is_accepted_again_a_second_after_the_oldest_of_the_last_twenty()
    {
        var rate = new DataMessageRate(20);
        for (int i = 0; i < 20; i++) Assert.True(rate.TryTake(i * 10));

        Assert.False(rate.TryTake(999));
        Assert.True(rate.TryTake(1_000));
        Assert.False(rate.TryTake(1_009));
        Assert.True(rate.TryTake(1_010));
    }
}

public sealed class DataMessageRatesTests
{
    [Fact]
    public void Forty_content_messages_pass_in_a_second_and_the_forty_first_does_not()
    {
        var rates = new DataMessageRates();
        for (int i = 0; i < 40; i++) Assert.True(rates.TryTake(DataKind.Content, 1_000 + i));

        Assert.False(rates.TryTake(DataKind.Content, 1_500));
        Assert.Equal(40, DataMessageRates.PerSecond(DataKind.Content));
    }

    [Fact]
    public void Content_spent_to_its_limit_leaves_chat_its_own_twenty_and_chat_spent_leaves_content_its_forty()
    {
        var rates = new DataMessageRates();
        for (int i = 0; i < 40; i++) Assert.True(rates.TryTake(DataKind.Content, i));
        Assert.False(rates.TryTake(DataKind.Content, 100));

        for (int i = 0; i < 20; i++) Assert.True(rates.TryTake(DataKind.Chat, 100 + i));
        Assert.False(rates.TryTake(DataKind.Chat, 200));
        Assert.Equal(20, DataMessageRates.PerSecond(DataKind.Chat));

        var chatFirst = new DataMessageRates();
        for (int i = 0; i < 20; i++) Assert.True(chatFirst.TryTake(DataKind.Chat, i));
        for (int i = 0; i < 40; i++) Assert.True(chatFirst.TryTake(DataKind.Content, 50 + i));
    }
}
