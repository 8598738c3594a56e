using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// What one participant published while the recording ran, as the recorder stored it
/// (docs/recording.md), in arrival order: RTP packets as forwarded (header without extensions,
/// SFrame-protected payload) and the sender reports of its streams.
/// </summary>
public sealed record ParticipantMedia(IReadOnlyList<RecordedRtp> Video, IReadOnlyList<RecordedRtp> Audio, IReadOnlyList<RecordedSenderReport> SenderReports);
