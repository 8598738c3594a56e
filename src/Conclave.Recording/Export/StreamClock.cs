using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// Maps a stream's unrolled RTP timestamps to microseconds on a clock the participant's streams
/// share: the sender's NTP clock through a sender report (RFC 3550 §6.4.1: the report pairs an
/// NTP time with the RTP timestamp of that instant), or the recording's arrival clock.
/// </summary>
internal readonly record struct StreamClock(long ReferenceRtpTimestamp, long ReferenceMicroseconds, int ClockRate)
{
    public long ToMicroseconds(long rtpTimestamp) => ReferenceMicroseconds + (rtpTimestamp - ReferenceRtpTimestamp) * 1_000_000 / ClockRate;

    /// <summary>
    /// The sender report's pair. Its 32-bit RTP timestamp is unrolled against the frame that
    /// arrived nearest to it, so a report taken after the stream's timestamps wrapped still fits.
    /// </summary>
    public static StreamClock FromSenderReport(RecordedSenderReport report, List<AssembledFrame> frames, int clockRate)
    {
        var nearest = frames[0];
        foreach (var frame in frames)
        {
            if (Distance(frame.ArrivalMicroseconds, report.ArrivalUs) < Distance(nearest.ArrivalMicroseconds, report.ArrivalUs)) nearest = frame;
        }
        return new StreamClock(RtpTimestampUnroller.Nearest(nearest.RtpTimestamp, report.RtpTimestamp), NtpToMicroseconds(report.NtpTimestamp), clockRate);
    }

    /// <summary>
    /// The arrival clock, anchored at the frame that arrived least late for its timestamp: network
    /// delay only ever adds, so that frame's arrival is the best estimate of the send times.
    /// </summary>
    public static StreamClock FromArrival(List<AssembledFrame> frames, int clockRate)
    {
        long first = frames[0].RtpTimestamp;
        long earliest = long.MaxValue;
        foreach (var frame in frames)
        {
            long sentAt = (long)frame.ArrivalMicroseconds - (frame.RtpTimestamp - first) * 1_000_000 / clockRate;
            earliest = Math.Min(earliest, sentAt);
        }
        return new StreamClock(first, earliest, clockRate);
    }

    /// <summary>RFC 5905 §6's 64-bit timestamp: 32 bits of seconds, 32 of fraction.</summary>
    public static long NtpToMicroseconds(ulong ntp) => (long)(ntp >> 32) * 1_000_000 + (long)((ntp & 0xFFFFFFFF) * 1_000_000 >> 32);

    private static ulong Distance(ulong a, ulong b) => a > b ? a - b : b - a;
}
