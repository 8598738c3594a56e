namespace Conclave.Media.Sfu;

/// <summary>What a consumer's <see cref="RetransmissionGuard"/> decided about one NACKed packet.</summary>
internal enum RetransmissionVerdict
{
    Allowed,
    /// <summary>Sent to this subscriber less than a round trip ago: a repeated request, not a new loss.</summary>
    TooSoon,
    /// <summary>The subscriber's retransmission budget is spent for now.</summary>
    OverBudget,
}

/// <summary>
/// Limits what NACKs (RFC 4585 §6.2.1) may make the appliance send to one subscriber, so a
/// NACK costs what the loss it reports cost and no more: each packet at most once per
/// round trip, and RTX bytes within a token bucket sized by the stream's own bitrate.
/// A NACK is a few bytes asking for up to 17 packets per FCI; unguarded, one 1.4 KB NACK
/// made the appliance send thousands of packets.
/// NOTE: runs on the media loop thread; allocates only at construction.
/// </summary>
internal sealed class RetransmissionGuard
{
    /// <summary>
    /// libwebrtc and mediasoup re-request a packet only after a round trip; with no RTT
    /// measured yet, 100 ms stands for one (mediasoup's default RTT is the same).
    /// </summary>
    public const long MinResendIntervalMs = 100;

    /// <summary>
    /// Repairing loss never needs more than a share of the stream itself: at half its
    /// bitrate a subscriber recovers from 50 % loss, and losing more than that is not a
    /// link retransmission can save.
    /// </summary>
    public const double MaxShareOfStreamBitrate = 0.5;

    /// <summary>A floor while the stream's bitrate is still being measured (256 kbit/s).</summary>
    public const long MinBudgetBytesPerSecond = 32_000;

    /// <summary>The bucket holds one second of budget: a key frame's worth of loss at once.</summary>
    private const long BucketMs = 1_000;

    private readonly long[] _sentAtMs = new long[PacketCache.Capacity];
    private readonly ushort[] _sentSequence = new ushort[PacketCache.Capacity];
    private readonly bool[] _sent = new bool[PacketCache.Capacity];
    private double _tokenBytes = -1;
    private long _lastRefillMs;

    /// <summary>Decides, and on <see cref="RetransmissionVerdict.Allowed"/> records, one retransmission of <paramref name="bytes"/>.</summary>
    public RetransmissionVerdict Check(ushort sequenceNumber, int bytes, long nowMs, long streamBytesPerSecond)
    {
        int slot = sequenceNumber % PacketCache.Capacity;
        if (_sent[slot] && _sentSequence[slot] == sequenceNumber && nowMs - _sentAtMs[slot] < MinResendIntervalMs)
        {
            return RetransmissionVerdict.TooSoon;
        }
        long budgetBytesPerSecond = Math.Max(MinBudgetBytesPerSecond, (long)(streamBytesPerSecond * MaxShareOfStreamBitrate));
        double capacity = budgetBytesPerSecond * BucketMs / 1000.0;
        if (_tokenBytes < 0)
        {
            _tokenBytes = capacity;
        }
        else
        {
            _tokenBytes = Math.Min(capacity, _tokenBytes + budgetBytesPerSecond * Math.Max(0, nowMs - _lastRefillMs) / 1000.0);
        }
        _lastRefillMs = nowMs;
        if (_tokenBytes < bytes) return RetransmissionVerdict.OverBudget;
        _tokenBytes -= bytes;
        RecordSent(sequenceNumber, nowMs);
        return RetransmissionVerdict.Allowed;
    }

    /// <summary>
    /// Records a packet sent without a NACK (one recovered from the publisher), so a NACK
    /// for it crossing it on the way is a repeated request; it costs no budget, as the
    /// subscriber did not ask for it.
    /// </summary>
    public void RecordSent(ushort sequenceNumber, long nowMs)
    {
        int slot = sequenceNumber % PacketCache.Capacity;
        _sent[slot] = true;
        _sentSequence[slot] = sequenceNumber;
        _sentAtMs[slot] = nowMs;
    }
}
