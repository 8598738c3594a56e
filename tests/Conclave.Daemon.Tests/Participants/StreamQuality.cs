namespace Conclave.Daemon.Tests.Participants;

/// <summary>One RTP packet a participant sent (before SRTP).</summary>
internal readonly record struct SentRtp(uint Ssrc, ushort SequenceNumber, long SentMs);

/// <summary>
/// How one stream fared between a sender and a receiver over a window: of the packets
/// sent in it, how many arrived (authenticated, from that sender), and the longest time
/// without one — the freeze a viewer would see.
/// </summary>
internal readonly record struct StreamQuality(int Sent, int Received, long LargestGapMs)
{
    /// <summary>Arrivals that trail the window by this much still count: the relay is quick on loopback.</summary>
    private const long LateArrivalMs = 2_000;

    public double LossFraction => Sent == 0 ? 0 : 1.0 - (double)Received / Sent;

    /// <param name="originTag">Only arrivals whose payload this sender made count (another may use its SSRC).</param>
    public static StreamQuality Measure(IReadOnlyList<SentRtp> sent, IReadOnlyList<RtpArrival> arrivals, uint ssrc, ulong originTag, long fromMs, long toMs)
    {
        var arrived = new HashSet<ushort>();
        var times = new List<long>();
        foreach (var arrival in arrivals)
        {
            if (arrival.OriginTag != originTag || arrival.ArrivalMs < fromMs || arrival.ArrivalMs > toMs + LateArrivalMs) continue;
            arrived.Add(arrival.SequenceNumber);
            if (arrival.ArrivalMs <= toMs) times.Add(arrival.ArrivalMs);
        }
        int total = 0, received = 0;
        foreach (var packet in sent)
        {
            if (packet.Ssrc != ssrc || packet.SentMs < fromMs || packet.SentMs > toMs) continue;
            total++;
            if (arrived.Contains(packet.SequenceNumber)) received++;
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

    public override string ToString() => $"{Received}/{Sent} received ({LossFraction:P1} lost), largest gap {LargestGapMs} ms";
}
