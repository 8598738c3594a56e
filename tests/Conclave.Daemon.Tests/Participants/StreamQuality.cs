namespace Conclave.Daemon.Tests.Participants;

/// <summary>One RTP packet a participant sent (before SRTP).</summary>
internal readonly record struct SentRtp(uint Ssrc, ushort SequenceNumber, long SentMs);

/// <summary>
/// How one stream fared between a sender and a receiver over a window: of the packets
/// sent in it, how many arrived in time (authenticated, and made by that sender), and
/// the longest time without one — the freeze a viewer would see.
/// </summary>
internal readonly record struct StreamQuality(int Sent, int Received, long LargestGapMs)
{
    /// <summary>
    /// A packet that comes later than this after it was sent counts as lost: RFC 3550
    /// §6.4.1 only knows packets that never come, but a conversation cannot wait longer.
    /// Measure no sooner than this long after the window closes.
    /// </summary>
    public const long PlayoutDeadlineMs = 1_000;

    public double LossFraction => Sent == 0 ? 0 : 1.0 - (double)Received / Sent;

    /// <param name="originTag">Only arrivals whose payload this sender made count (another may use its SSRC).</param>
    public static StreamQuality Measure(IReadOnlyList<SentRtp> sent, IReadOnlyList<RtpArrival> arrivals, uint ssrc, ulong originTag, long fromMs, long toMs)
    {
        var firstArrivalMs = new Dictionary<ushort, long>();
        var times = new List<long>();
        foreach (var arrival in arrivals)
        {
            if (arrival.OriginTag != originTag || arrival.ArrivalMs < fromMs) continue;
            firstArrivalMs.TryAdd(arrival.SequenceNumber, arrival.ArrivalMs);
            if (arrival.ArrivalMs <= toMs) times.Add(arrival.ArrivalMs);
        }
        int total = 0, received = 0;
        foreach (var packet in sent)
        {
            if (packet.Ssrc != ssrc || packet.SentMs < fromMs || packet.SentMs > toMs) continue;
            total++;
            if (firstArrivalMs.TryGetValue(packet.SequenceNumber, out long arrivedMs) && arrivedMs - packet.SentMs <= PlayoutDeadlineMs) received++;
        }
        times.Sort();
        long previous = fromMs, largestGap = 0;
        foreach (long time in times)
        {
            largestGap = Math.Max(largestGap, time - previous);
            previous = time;
        }
        largestGap = Math.Max(largestGap, toMs - previous);
        return new StreamQuality(total, received, largestGap);
    }

    public override string ToString() => $"{Received}/{Sent} received in time ({LossFraction:P1} lost), largest gap {LargestGapMs} ms";
}
