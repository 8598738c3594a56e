using Conclave.Media.Rtcp;
using Conclave.Media.Sfu;

namespace Conclave.Media.Tests.Sfu;

/// <summary>The loss tracker's sequence arithmetic at its edges: the 16-bit wrap, its window, jumps.</summary>
public sealed class LossTrackerTests
{
    private const long Start = 1_000_000;
    private readonly LossTracker _tracker = new();

    [Fact]
    public void A_gap_across_the_sequence_number_wrap_is_asked_for_in_order_in_one_fci_RFC_4585()
    {
        Assert.Equal(PacketArrival.Newest, _tracker.OnReceived(65533, false, Start));
        Assert.Equal(PacketArrival.Newest, _tracker.OnReceived(2, false, Start));

        var due = _tracker.TakeDue(Start + LossTracker.ReorderDelayMs, out int overBudget).ToArray();

        Assert.Equal([65534, 65535, 0, 1], due);
        Assert.Equal(0, overBudget);
        var nack = new byte[64];
        Assert.True(RtcpWriter.TryWriteNack(nack, 1, 2, due, out int length));
        Assert.Equal(16, length); // one PID and its BLP
        var lost = new List<ushort>();
        var entries = new NackEnumerator(nack.AsSpan(0, length));
        while (entries.MoveNext()) lost.Add(entries.Current);
        Assert.Equal(due, lost);
    }

    [Fact]
    public void Nothing_is_due_before_the_reorder_delay()
    {
        _tracker.OnReceived(10, false, Start);
        _tracker.OnReceived(12, false, Start);

        Assert.True(_tracker.TakeDue(Start + LossTracker.ReorderDelayMs - 1, out _).IsEmpty);
        Assert.Equal([11], _tracker.TakeDue(Start + LossTracker.ReorderDelayMs, out _).ToArray());
    }

    [Fact]
    public void The_newest_packet_again_is_a_duplicate_and_one_a_whole_window_behind_is_too_late()
    {
        _tracker.OnReceived(1000, false, Start);
        _tracker.OnReceived(1000 + LossTracker.WindowPackets, false, Start);

        Assert.Equal(PacketArrival.Duplicate, _tracker.OnReceived(1000 + LossTracker.WindowPackets, false, Start));
        Assert.Equal(PacketArrival.TooLate, _tracker.OnReceived(1000, true, Start));
        Assert.Equal(PacketArrival.Late, _tracker.OnReceived(1001, true, Start)); // the oldest the window still holds
        Assert.Equal(1, _tracker.PacketsRecovered);
    }

    [Fact]
    public void A_jump_past_the_window_is_a_discontinuity_asked_for_by_no_nack_and_what_was_missing_is_given_up()
    {
        _tracker.OnReceived(1, false, Start);
        _tracker.OnReceived(3, false, Start);                                  // 2 missing
        _tracker.OnReceived(4 + LossTracker.WindowPackets, false, Start);      // a jump of 512

        Assert.True(_tracker.TakeDue(Start + LossTracker.ReorderDelayMs, out _).IsEmpty);
        Assert.Equal(1, _tracker.PacketsGivenUp);
    }

    [Fact]
    public void A_missing_packet_a_fast_stream_pushes_out_of_the_window_is_given_up_and_never_asked_for_again()
    {
        _tracker.OnReceived(1, false, Start);
        _tracker.OnReceived(3, false, Start);
        Assert.Equal([2], _tracker.TakeDue(Start + LossTracker.ReorderDelayMs, out _).ToArray());

        for (int sequence = 4; sequence <= 2 + LossTracker.WindowPackets; sequence++) _tracker.OnReceived((ushort)sequence, false, Start);

        Assert.Equal(1, _tracker.PacketsGivenUp);
        Assert.True(_tracker.TakeDue(Start + 10 * LossTracker.ResendIntervalMs, out _).IsEmpty);
    }
}
