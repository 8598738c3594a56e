using Conclave.Crypto.SFrame;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// One participant's recorded media to a WebM file (docs/recording.md, "Export: WebM"): each
/// RTP stream reordered and depacketized, each frame opened with its escrowed SFrame key, the
/// frames that open written as one track per stream. Audio and video are aligned on the sender's
/// NTP clock when every stream has a sender report, else on arrival time; the earliest frame
/// written is t = 0.
/// </summary>
public static class ParticipantExporter
{
    public static IReadOnlyList<StreamExportResult> WriteWebm(ParticipantMedia media, ISFrameKeyLookup keys, Stream webm)
    {
        ArgumentNullException.ThrowIfNull(media);
        ArgumentNullException.ThrowIfNull(keys);
        ArgumentNullException.ThrowIfNull(webm);
        var opener = new FrameOpener(keys);
        var plans = new List<StreamPlan>();
        foreach (var stream in OrderedRtpStream.Split(media.Video))
            plans.Add(StreamPlan.Create(SFrameMediaKind.Video, media.Video, Vp8FrameAssembler.Assemble(media.Video, stream), opener));
        foreach (var stream in OrderedRtpStream.Split(media.Audio))
            plans.Add(StreamPlan.Create(SFrameMediaKind.Audio, media.Audio, OpusFrameAssembler.Assemble(media.Audio, stream), opener));
        SetClocks(plans, media.SenderReports);

        var cursors = new List<TrackCursor>();
        var tracks = new List<WebmTrack>();
        long originMicroseconds = EarliestWrittenMicroseconds(plans);
        foreach (var plan in plans)
        {
            if (plan.FramesWritten == 0) continue;
            int number = tracks.Count + 1;
            WebmTrack track = plan.Kind == SFrameMediaKind.Video
                ? new WebmVideoTrack(number, plan.Width ?? 0, plan.Height ?? 0)
                : new WebmAudioTrack(number, plan.Channels);
            tracks.Add(track);
            cursors.Add(new TrackCursor(plan, track, originMicroseconds));
        }

        var results = new StreamExportResult[plans.Count];
        for (int i = 0; i < plans.Count; i++) results[i] = plans[i].ToResult();
        // A WebM needs a track and a cluster: with no frame to write, the stream stays empty and the results say why.
        if (tracks.Count == 0) return results;

        var writer = new WebmWriter(webm, tracks);
        var sources = new[] { media.Video, media.Audio };
        while (Earliest(cursors) is { } cursor)
        {
            var plan = cursor.Plan;
            var frame = plan.Stream.Frames[cursor.FrameIndex];
            var packets = sources[plan.Kind == SFrameMediaKind.Video ? 0 : 1];
            if (opener.Open(packets, plan.Stream, frame, plan.Kind, out var plaintext) != FrameOpenStatus.Opened)
                throw new InvalidOperationException("a frame that opened when the export was planned no longer opens: the key lookup must answer the same each time");
            writer.WriteFrame(cursor.Track, cursor.TimestampMs, plan.Fates[cursor.FrameIndex] == FrameFate.WrittenKey, plaintext);
            cursor.Advance();
        }
        long durationMs = 0;
        foreach (var cursor in cursors) durationMs = Math.Max(durationMs, cursor.EndMs);
        writer.Finish(durationMs);
        return results;
    }

    /// <summary>
    /// The sender's NTP clock is common to all its streams (RFC 3550 §6.4.1), so it aligns them
    /// only when every stream has a report; one stream on NTP time and another on arrival time
    /// would be on clocks with an unknown offset, so then all go by arrival.
    /// </summary>
    private static void SetClocks(List<StreamPlan> plans, IReadOnlyList<RecordedSenderReport> reports)
    {
        bool allReported = true;
        foreach (var plan in plans)
        {
            if (plan.FramesWritten > 0 && FirstReport(reports, plan.Stream.Ssrc) is null) allReported = false;
        }
        foreach (var plan in plans)
        {
            if (plan.Stream.Frames.Count == 0) continue;
            plan.Clock = allReported && FirstReport(reports, plan.Stream.Ssrc) is { } report
                ? StreamClock.FromSenderReport(report, plan.Stream.Frames, plan.ClockRate)
                : StreamClock.FromArrival(plan.Stream.Frames, plan.ClockRate);
        }
    }

    private static RecordedSenderReport? FirstReport(IReadOnlyList<RecordedSenderReport> reports, uint ssrc)
    {
        RecordedSenderReport? first = null;
        foreach (var report in reports)
        {
            if (report.Ssrc == ssrc && (first is null || report.ArrivalUs < first.ArrivalUs)) first = report;
        }
        return first;
    }

    private static long EarliestWrittenMicroseconds(List<StreamPlan> plans)
    {
        long earliest = long.MaxValue;
        foreach (var plan in plans)
        {
            for (int i = 0; i < plan.Fates.Length; i++)
            {
                if (plan.IsWritten(i)) earliest = Math.Min(earliest, plan.Clock.ToMicroseconds(plan.Stream.Frames[i].RtpTimestamp));
            }
        }
        return earliest;
    }

    /// <summary>The track whose next frame comes first; on a tie the earlier track (video before audio), so a cluster opens with the key frame.</summary>
    private static TrackCursor? Earliest(List<TrackCursor> cursors)
    {
        TrackCursor? earliest = null;
        foreach (var cursor in cursors)
        {
            if (!cursor.Done && (earliest is null || cursor.TimestampMs < earliest.TimestampMs)) earliest = cursor;
        }
        return earliest;
    }

    /// <summary>Walks one track's written frames with their WebM timestamps, never going back in time.</summary>
    private sealed class TrackCursor
    {
        private readonly long _originMicroseconds;
        private long _lastStepMs;
        private bool _started;

        public TrackCursor(StreamPlan plan, WebmTrack track, long originMicroseconds)
        {
            Plan = plan;
            Track = track;
            _originMicroseconds = originMicroseconds;
            FrameIndex = -1;
            Advance();
        }

        public StreamPlan Plan { get; }
        public WebmTrack Track { get; }
        public int FrameIndex { get; private set; }
        public long TimestampMs { get; private set; }
        public bool Done { get; private set; }

        /// <summary>Where the track's media ends: its last frame plus the step before it, the best guess at a frame's length.</summary>
        public long EndMs => TimestampMs + _lastStepMs;

        public void Advance()
        {
            do FrameIndex++;
            while (FrameIndex < Plan.Fates.Length && !Plan.IsWritten(FrameIndex));
            if (FrameIndex == Plan.Fates.Length)
            {
                Done = true;
                return;
            }
            long microseconds = Plan.Clock.ToMicroseconds(Plan.Stream.Frames[FrameIndex].RtpTimestamp) - _originMicroseconds;
            // Block times must rise (ffmpeg refuses a track whose dts repeats): a frame within the
            // same millisecond as the one before, or one stepping back (a sender's bug), is written
            // 1 ms after it.
            long timestampMs = Math.Max(_started ? TimestampMs + 1 : 0, (microseconds + 500) / 1000);
            if (_started) _lastStepMs = timestampMs - TimestampMs;
            TimestampMs = timestampMs;
            _started = true;
        }
    }
}
