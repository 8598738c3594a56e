using Conclave.Crypto.SFrame;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

internal enum FrameFate : byte
{
    /// <summary>A packet of the frame never arrived.</summary>
    Lost,
    Undecryptable,

    /// <summary>Authentic, but its KID names another member as the sender: not this participant's media.</summary>
    OtherSender,

    /// <summary>A delta frame whose references are gone: after a lost or undecryptable frame, up to the next key frame.</summary>
    Skipped,
    WrittenDelta,
    WrittenKey,
}

/// <summary>
/// The first pass over one stream: which frames open and which the WebM gets. A VP8 decoder
/// can only start, or start again after a hole, at a key frame (RFC 6386 §9.1), so after a
/// lost or undecryptable frame every delta frame is skipped until the next key frame; Opus
/// frames stand alone. The frames are opened here to decide and opened again when written, so
/// an export holds one decrypted frame at a time rather than the whole recording.
/// </summary>
internal sealed class StreamPlan
{
    public const string PacketsLostReason = "packets lost";
    public const string WaitingForKeyFrameReason = "waiting for a key frame";
    public const string OtherSenderReason = "sent under another member's KID";

    /// <summary>RFC 7741 §6.1 (VP8) and RFC 7587 §4.1 (Opus).</summary>
    private const int VideoClockRate = 90_000, AudioClockRate = 48_000;

    private readonly GapRecorder _gaps = new();

    private StreamPlan(SFrameMediaKind kind, AssembledStream stream)
    {
        Kind = kind;
        Stream = stream;
        Fates = new FrameFate[stream.Frames.Count];
    }

    public SFrameMediaKind Kind { get; }
    public AssembledStream Stream { get; }
    public FrameFate[] Fates { get; }
    public int FramesWritten { get; private set; }
    public int FramesUndecryptable { get; private set; }
    public int FramesSkippedAfterLoss { get; private set; }
    public int FramesFromPublisher { get; private set; }
    public int FramesFromOtherSender { get; private set; }
    public int? Width { get; private set; }
    public int? Height { get; private set; }
    public int Channels { get; private set; } = 1;
    public int ClockRate => Kind == SFrameMediaKind.Video ? VideoClockRate : AudioClockRate;
    public StreamClock Clock { get; set; }

    public bool IsWritten(int frame) => Fates[frame] is FrameFate.WrittenKey or FrameFate.WrittenDelta;

    public static StreamPlan Create(SFrameMediaKind kind, IReadOnlyList<RecordedRtp> packets, AssembledStream stream, FrameOpener opener)
    {
        var plan = new StreamPlan(kind, stream);
        plan.Decide(packets, opener);
        return plan;
    }

    public StreamExportResult ToResult() => new(
        Kind == SFrameMediaKind.Video ? "video" : "audio", Stream.Ssrc, FramesWritten, FramesUndecryptable, FramesSkippedAfterLoss, Stream.PacketsLost, _gaps.Gaps, Width, Height,
        FramesFromPublisher, FramesFromOtherSender);

    private void Decide(IReadOnlyList<RecordedRtp> packets, FrameOpener opener)
    {
        bool video = Kind == SFrameMediaKind.Video;
        bool needKeyFrame = video;
        var frames = Stream.Frames;
        for (int i = 0; i < frames.Count; i++)
        {
            var frame = frames[i];
            ulong previousArrival = frames[i == 0 ? 0 : i - 1].ArrivalMicroseconds;
            if (frame.AfterLoss)
            {
                _gaps.Open(previousArrival, PacketsLostReason);
                needKeyFrame = video;
            }
            if (!frame.Complete)
            {
                Fates[i] = FrameFate.Lost;
                FramesSkippedAfterLoss++;
                _gaps.Open(previousArrival, PacketsLostReason);
                needKeyFrame = video;
                continue;
            }
            var status = opener.Open(packets, Stream, frame, Kind, out var plaintext);
            if (status == FrameOpenStatus.OtherSender)
            {
                Fates[i] = FrameFate.OtherSender;
                FramesFromOtherSender++;
                _gaps.Open(previousArrival, OtherSenderReason);
                needKeyFrame = video;
                continue;
            }
            if (status != FrameOpenStatus.Opened)
            {
                Fates[i] = FrameFate.Undecryptable;
                FramesUndecryptable++;
                _gaps.Open(previousArrival, Reason(status, opener.LastKid));
                needKeyFrame = video;
                continue;
            }
            FramesFromPublisher++;
            bool keyFrame = !video || Vp8FrameHeader.IsKeyFrame(plaintext);
            if (needKeyFrame && !keyFrame)
            {
                Fates[i] = FrameFate.Skipped;
                FramesSkippedAfterLoss++;
                _gaps.Extend(frame.ArrivalMicroseconds, WaitingForKeyFrameReason);
                continue;
            }
            if (video && keyFrame)
            {
                needKeyFrame = false;
                if (Width is null && Vp8FrameHeader.TryReadDimensions(plaintext, out int width, out int height)) (Width, Height) = (width, height);
            }
            // Opus decoders mix down or up as needed; the track says stereo once any frame is.
            if (!video && OpusHead.IsStereo(plaintext)) Channels = 2;
            Fates[i] = keyFrame ? FrameFate.WrittenKey : FrameFate.WrittenDelta;
            FramesWritten++;
            _gaps.Close(frame.ArrivalMicroseconds);
        }
        if (frames.Count > 0) _gaps.Close(frames[^1].ArrivalMicroseconds);
    }

    /// <summary>The KID's low bits are the epoch's (RFC 9605 §5.2, E = 8), whatever the sender bits.</summary>
    private static string Reason(FrameOpenStatus status, ulong kid) => status switch
    {
        FrameOpenStatus.NoKey => $"no key for epoch {kid & ((1UL << MlsKeyIdLayout.DefaultEpochBits) - 1)}",
        FrameOpenStatus.NotSFrame => "not an SFrame frame",
        _ => "frame did not authenticate",
    };
}
