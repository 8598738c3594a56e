namespace Conclave.Recording.Export;

/// <summary>
/// What the export made of one RTP stream (one SSRC, one WebM track when any frame was written).
/// Frames a lost packet broke, and the delta frames after them up to the next key frame, are
/// <see cref="FramesSkippedAfterLoss"/>; frames that would not open are
/// <see cref="FramesUndecryptable"/>. Width and height are the first written key frame's (video only).
/// Of the frames that authenticated, <see cref="FramesFromPublisher"/> carried a KID whose sender
/// index is the participant's leaf (RFC 9605 §5.2) and <see cref="FramesFromOtherSender"/> another
/// member's: those are not written.
/// </summary>
public sealed record StreamExportResult(
    string Kind,
    uint Ssrc,
    int FramesWritten,
    int FramesUndecryptable,
    int FramesSkippedAfterLoss,
    int PacketsLost,
    IReadOnlyList<ExportGap> Gaps,
    int? Width,
    int? Height,
    int FramesFromPublisher,
    int FramesFromOtherSender);

/// <summary>
/// A stretch of a stream with no media in the WebM, in the recording's arrival clock: from the
/// last frame received before it to the first frame written after it.
/// </summary>
public sealed record ExportGap(ulong FromMicroseconds, ulong ToMicroseconds, string Reason);
