using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>
/// The export's first pass over the segments (each read, verified and dropped in turn): the small
/// records kept in memory — epochs into the timeline, escrow blobs, participants' credentials,
/// sender reports, chat, the recorder's gaps — and each publisher's RTP set aside in the spill,
/// except for publishers whose WebM an earlier run completed.
/// </summary>
internal sealed class RecordingScan
{
    public EpochTimeline Timeline { get; } = new();
    public List<StoredEscrow> Escrows { get; } = [];
    public List<StoredChat> Chats { get; } = [];
    public List<RecorderGapFacts> Gaps { get; } = [];

    /// <summary>Publishers with RTP, in order of their first packet.</summary>
    public List<string> Publishers { get; } = [];

    /// <summary>Peers with a Participant record, in order of the first, and the credential it carried.</summary>
    public List<string> ParticipantIds { get; } = [];
    public Dictionary<string, byte[]> Credentials { get; } = new(StringComparer.Ordinal);

    public Dictionary<string, List<RecordedSenderReport>> SenderReports { get; } = new(StringComparer.Ordinal);

    /// <exception cref="RecordingDataException">A segment is missing, altered or not the manifest's.</exception>
    public void Read(RecordingReader recording, RtpSpill spill, Func<string, bool> mediaCompleted, List<string> problems, IProgress<ExportProgress>? progress, CancellationToken cancel)
    {
        var segments = recording.Manifest.Segments;
        var skipped = new HashSet<string>(StringComparer.Ordinal);
        var publishers = new HashSet<string>(StringComparer.Ordinal);
        int segment = 0;
        long recordsLeftInSegment = segments.Count > 0 ? segments[0].Records : 0;
        progress?.Report(new ExportProgress(RecordingExport.ReadStage, 0, segments.Count));
        foreach (var record in recording.ReadRecords())
        {
            switch (record)
            {
                case RecordedRtp rtp:
                    if (publishers.Add(rtp.PublisherPeerId))
                    {
                        Publishers.Add(rtp.PublisherPeerId);
                        if (mediaCompleted(rtp.PublisherPeerId)) skipped.Add(rtp.PublisherPeerId);
                    }
                    if (!skipped.Contains(rtp.PublisherPeerId)) spill.Append(rtp);
                    break;
                case RecordedSenderReport report:
                    if (!SenderReports.TryGetValue(report.PublisherPeerId, out var reports)) SenderReports.Add(report.PublisherPeerId, reports = []);
                    reports.Add(report);
                    break;
                case RecordedEpoch epoch:
                    Timeline.AddEpochRecord(epoch.ArrivalUs, epoch.Epoch);
                    break;
                case RecordedEscrow escrow:
                    Escrows.Add(new StoredEscrow(escrow.ArrivalUs, Timeline.CurrentGeneration, escrow.EscrowBlob));
                    break;
                case RecordedParticipant participant:
                    AddParticipant(participant, problems);
                    break;
                case RecordedData data:
                    Chats.Add(new StoredChat(data.ArrivalUs, Timeline.CurrentGeneration, data.PublisherPeerId, data.Epoch, data.Ciphertext));
                    break;
                case RecordedGap gap:
                    Gaps.Add(new RecorderGapFacts(gap.ArrivalUs, gap.DroppedRecords));
                    problems.Add($"the recorder fell behind and dropped {gap.DroppedRecords} record(s) before {gap.ArrivalUs} µs");
                    break;
            }
            if (--recordsLeftInSegment == 0)
            {
                segment++;
                progress?.Report(new ExportProgress(RecordingExport.ReadStage, segment, segments.Count));
                cancel.ThrowIfCancellationRequested();
                if (segment < segments.Count) recordsLeftInSegment = segments[segment].Records;
            }
        }
    }

    private void AddParticipant(RecordedParticipant participant, List<string> problems)
    {
        if (!Credentials.TryGetValue(participant.PublisherPeerId, out var first))
        {
            Credentials.Add(participant.PublisherPeerId, participant.Credential);
            ParticipantIds.Add(participant.PublisherPeerId);
        }
        else if (!first.AsSpan().SequenceEqual(participant.Credential))
        {
            problems.Add($"peer {participant.PublisherPeerId} has two different credentials in the recording; the first is used");
        }
    }
}
