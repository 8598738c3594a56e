using System.Buffers.Binary;
using Conclave.Recording.Export;
using Conclave.Testing;

namespace Conclave.Recording.Tests.Export;

/// <summary>
/// The export end to end: ffmpeg's own VP8 and Opus, sealed and packetized as a Chromium sender
/// does, recorded, exported, then probed and decoded by ffmpeg.
/// </summary>
public sealed class ParticipantExporterTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("conclave-webm-export-").FullName;

    private static MediaFiles Files => MediaFiles.Instance;
    private static int VideoFrames => Files.VideoFrames.Count;
    private static int AudioFrames => Files.AudioFrames.Count;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void A_clean_recording_exports_every_frame_as_playable_vp8_and_opus()
    {
        using var participant = new RecordedParticipant();

        var (results, path) = Export(participant);

        var probed = Ffmpeg.Probe(path);
        Assert.Equal(2, probed.Count);
        Assert.Equal(new ProbedStream("vp8", 640, 480, null, VideoFrames), probed[0]);
        Assert.Equal(new ProbedStream("opus", null, null, 48_000, AudioFrames), probed[1]);
        AssertDecodesCleanly(path);
        var video = Result(results, "video");
        Assert.Equal((RecordedParticipant.VideoSsrc, VideoFrames, 0, 0, 0, 640, 480), (video.Ssrc, video.FramesWritten, video.FramesUndecryptable, video.FramesSkippedAfterLoss, video.PacketsLost, video.Width, video.Height));
        Assert.Empty(video.Gaps);
        var audio = Result(results, "audio");
        Assert.Equal((RecordedParticipant.AudioSsrc, AudioFrames, 0, 0, 0), (audio.Ssrc, audio.FramesWritten, audio.FramesUndecryptable, audio.FramesSkippedAfterLoss, audio.PacketsLost));
        Assert.Equal((VideoFrames, AudioFrames, 0, 0), (video.FramesFromPublisher, audio.FramesFromPublisher, video.FramesFromOtherSender, audio.FramesFromOtherSender));
        Assert.Empty(audio.Gaps);
    }

    [Fact]
    public void Reordered_and_repeated_packets_still_export_every_frame()
    {
        using var participant = new RecordedParticipant();
        participant.Video = Scramble(participant.Video);
        participant.Audio = Scramble(participant.Audio);

        var (results, path) = Export(participant);

        Assert.Equal([VideoFrames, AudioFrames], Ffmpeg.Probe(path).Select(s => s.FramesRead));
        AssertDecodesCleanly(path);
        Assert.All(results, r => Assert.Equal((0, 0, 0), (r.PacketsLost, r.FramesSkippedAfterLoss, r.FramesUndecryptable)));
    }

    [Fact]
    public void A_lost_packet_drops_its_frame_and_the_delta_frames_up_to_the_next_key_frame()
    {
        using var participant = new RecordedParticipant();
        const int broken = 20;
        int keyFrame = NextKeyFrame(broken);
        Assert.True(participant.Video.Count(p => p.Frame == broken) >= 2, "the broken frame spans packets");
        var lostPacket = participant.Video.Single(p => p.Frame == broken && p.PacketInFrame == 1);
        participant.Video.Remove(lostPacket);

        var (results, path) = Export(participant);

        int dropped = keyFrame - broken;
        var video = Result(results, "video");
        Assert.Equal((VideoFrames - dropped, dropped, 1, 0), (video.FramesWritten, video.FramesSkippedAfterLoss, video.PacketsLost, video.FramesUndecryptable));
        var gap = Assert.Single(video.Gaps);
        Assert.Equal(new ExportGap(FirstArrival(participant.Video, broken - 1), FirstArrival(participant.Video, keyFrame), "packets lost"), gap);
        Assert.Equal([VideoFrames - dropped, AudioFrames], Ffmpeg.Probe(path).Select(s => s.FramesRead));
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void A_lost_audio_packet_loses_only_its_own_frame()
    {
        using var participant = new RecordedParticipant();
        participant.Audio.RemoveAt(100);

        var (results, path) = Export(participant);

        var audio = Result(results, "audio");
        Assert.Equal((AudioFrames - 1, 1, 0), (audio.FramesWritten, audio.PacketsLost, audio.FramesSkippedAfterLoss));
        Assert.Equal(new ExportGap(participant.Audio[99].ArrivalMicroseconds, participant.Audio[100].ArrivalMicroseconds, "packets lost"), Assert.Single(audio.Gaps));
        Assert.Equal([VideoFrames, AudioFrames - 1], Ffmpeg.Probe(path).Select(s => s.FramesRead));
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void Frames_of_an_epoch_without_an_escrowed_key_are_undecryptable_and_the_gap_names_the_epoch()
    {
        // Video: frames 0–39 in epoch 6, 40–79 in epoch 7, 80– in epoch 8; audio likewise by time.
        using var participant = new RecordedParticipant(videoEpoch: f => 6 + (ulong)(f / 40), audioEpoch: f => 6 + (ulong)(f * 20 / 1333));
        participant.Escrow.Withhold(7);
        int firstEpoch8Audio = participant.Audio.First(p => p.Frame * 20 / 1333 == 2).Frame;
        int firstEpoch7Audio = participant.Audio.First(p => p.Frame * 20 / 1333 == 1).Frame;

        var (results, path) = Export(participant);

        int resumeAt = NextKeyFrame(80);
        var video = Result(results, "video");
        Assert.Equal((40 + VideoFrames - resumeAt, 40, resumeAt - 80), (video.FramesWritten, video.FramesUndecryptable, video.FramesSkippedAfterLoss));
        var videoGap = Assert.Single(video.Gaps);
        Assert.Equal("no key for epoch 7", videoGap.Reason);
        Assert.Equal(FirstArrival(participant.Video, 39), videoGap.FromMicroseconds);
        var audio = Result(results, "audio");
        Assert.Equal((AudioFrames - (firstEpoch8Audio - firstEpoch7Audio), firstEpoch8Audio - firstEpoch7Audio, 0), (audio.FramesWritten, audio.FramesUndecryptable, audio.FramesSkippedAfterLoss));
        Assert.Equal(new ExportGap(participant.Audio[firstEpoch7Audio - 1].ArrivalMicroseconds, participant.Audio[firstEpoch8Audio].ArrivalMicroseconds, "no key for epoch 7"), Assert.Single(audio.Gaps));
        Assert.Equal([video.FramesWritten, audio.FramesWritten], Ffmpeg.Probe(path).Select(s => s.FramesRead));
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void A_tampered_audio_byte_makes_that_frame_undecryptable()
    {
        using var participant = new RecordedParticipant();
        participant.Audio[50].Bytes[^20] ^= 0x01;

        var (results, path) = Export(participant);

        var audio = Result(results, "audio");
        Assert.Equal((AudioFrames - 1, 1, 0), (audio.FramesWritten, audio.FramesUndecryptable, audio.PacketsLost));
        Assert.Equal(new ExportGap(participant.Audio[49].ArrivalMicroseconds, participant.Audio[51].ArrivalMicroseconds, "frame did not authenticate"), Assert.Single(audio.Gaps));
        Assert.Equal([VideoFrames, AudioFrames - 1], Ffmpeg.Probe(path).Select(s => s.FramesRead));
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void A_tampered_video_byte_makes_that_frame_undecryptable_and_skips_to_the_next_key_frame()
    {
        using var participant = new RecordedParticipant();
        const int tampered = 30;
        participant.Video.First(p => p.Frame == tampered && p.PacketInFrame == 1).Bytes[40] ^= 0x80;

        var (results, path) = Export(participant);

        int skipped = NextKeyFrame(tampered) - tampered - 1;
        var video = Result(results, "video");
        Assert.Equal((VideoFrames - 1 - skipped, 1, skipped, 0), (video.FramesWritten, video.FramesUndecryptable, video.FramesSkippedAfterLoss, video.PacketsLost));
        Assert.Equal("frame did not authenticate", Assert.Single(video.Gaps).Reason);
        Assert.Equal([video.FramesWritten, AudioFrames], Ffmpeg.Probe(path).Select(s => s.FramesRead));
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void Frames_whose_kid_names_another_member_as_sender_are_counted_and_not_written()
    {
        using var participant = new RecordedParticipant();
        participant.Escrow.PublisherLeaf = TestEscrow.SenderLeaf + 1;

        var (results, path) = Export(participant);

        Assert.Equal((0, 0, VideoFrames), (Result(results, "video").FramesWritten, Result(results, "video").FramesFromPublisher, Result(results, "video").FramesFromOtherSender));
        Assert.Equal((0, AudioFrames, "sent under another member's KID"), (Result(results, "audio").FramesWritten, Result(results, "audio").FramesFromOtherSender, Assert.Single(Result(results, "audio").Gaps).Reason));
        Assert.Equal(0, new FileInfo(path).Length);
    }

    /// <summary>
    /// A camera under load captures irregularly: here frame 20 is captured 15 ms before frame 21
    /// and frame 40 in the same millisecond as frame 41. The WebM keeps those times (the second
    /// of the pair 1 ms later) and a decoder that keeps the file's timing decodes every frame.
    /// </summary>
    [Fact]
    public void Irregularly_captured_video_keeps_its_capture_times_and_decodes_cleanly()
    {
        using var participant = new RecordedParticipant();
        ShiftVideoTimestamp(participant, frame: 20, ticks: MediaFiles.VideoTicksPerFrame - 15 * 90);
        ShiftVideoTimestamp(participant, frame: 40, ticks: MediaFiles.VideoTicksPerFrame - 45);

        var (results, path) = Export(participant);

        Assert.Equal(VideoFrames, Result(results, "video").FramesWritten);
        var videoTimes = Ffmpeg.PacketTimes(path).Where(p => p.Type == "video").Select(p => p.Seconds).ToList();
        Assert.Equal(VideoFrames, videoTimes.Count);
        Assert.All(videoTimes.Zip(videoTimes.Skip(1)), pair => Assert.True(pair.Second > pair.First, $"{pair.Second} follows {pair.First}"));
        Assert.Equal(0.015, videoTimes[21] - videoTimes[20], 3);
        Assert.Equal(0.001, videoTimes[41] - videoTimes[40], 3);
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void Sender_reports_align_audio_with_video_on_the_senders_clock_even_when_audio_arrives_later()
    {
        using var participant = new RecordedParticipant(audioStartMicroseconds: 500_000, audioExtraDelayMicroseconds: 150_000);
        participant.AddSenderReports(ntpSeconds: 3_900_000_000);

        var (_, path) = Export(participant);

        var first = Ffmpeg.FirstPacketTimes(path);
        Assert.Equal(0, first["video"], 3);
        AssertAudioStartsAt(0.5, first["audio"]);
    }

    [Fact]
    public void Without_sender_reports_audio_and_video_are_aligned_by_arrival()
    {
        using var participant = new RecordedParticipant(audioStartMicroseconds: 500_000, audioExtraDelayMicroseconds: 150_000);

        var (_, path) = Export(participant);

        var first = Ffmpeg.FirstPacketTimes(path);
        Assert.Equal(0, first["video"], 3);
        AssertAudioStartsAt(0.65, first["audio"]);
    }

    [Fact]
    public void The_earliest_frame_written_is_time_zero_when_the_recording_starts_before_a_key_frame()
    {
        // The recording began at video frame 10, mid-way between key frames, and audio half a second later.
        using var participant = new RecordedParticipant(audioStartMicroseconds: 500_000);
        participant.Video.RemoveAll(p => p.Frame < 10);
        int keyFrame = NextKeyFrame(10);

        var (results, path) = Export(participant);

        var video = Result(results, "video");
        Assert.Equal((VideoFrames - keyFrame, keyFrame - 10), (video.FramesWritten, video.FramesSkippedAfterLoss));
        Assert.Equal("waiting for a key frame", Assert.Single(video.Gaps).Reason);
        var first = Ffmpeg.FirstPacketTimes(path);
        AssertAudioStartsAt(0, first["audio"]);
        Assert.InRange(first["video"], (keyFrame / 30.0) - 0.5 - 0.001, (keyFrame / 30.0) - 0.5 + 0.001);
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void A_participant_without_video_gets_an_audio_only_file()
    {
        using var participant = new RecordedParticipant();
        participant.Video.Clear();

        var (results, path) = Export(participant);

        Assert.Equal(new ProbedStream("opus", null, null, 48_000, AudioFrames), Assert.Single(Ffmpeg.Probe(path)));
        Assert.Equal("audio", Assert.Single(results).Kind);
        AssertDecodesCleanly(path);
    }

    [Fact]
    public void A_recording_in_which_nothing_opens_writes_no_file_and_says_why()
    {
        using var participant = new RecordedParticipant();
        participant.Escrow.Withhold(6);

        var (results, path) = Export(participant);

        Assert.All(results, r => Assert.Equal((0, "no key for epoch 6"), (r.FramesWritten, Assert.Single(r.Gaps).Reason)));
        Assert.Equal(0, new FileInfo(path).Length);
    }

    [Fact]
    public void The_file_is_a_seekable_webm_whose_cues_point_at_clusters_that_start_with_video_key_frames()
    {
        using var participant = new RecordedParticipant();
        var (_, path) = Export(participant);
        var file = File.ReadAllBytes(path);

        var top = EbmlTestReader.TopLevel(file);
        Assert.Equal([0x1A45DFA3u, 0x18538067u], top.Select(e => e.Id));
        var header = top[0];
        Assert.Equal("webm", EbmlTestReader.String(file, EbmlTestReader.Child(file, header, 0x4282)));
        Assert.Equal(4ul, EbmlTestReader.UInt(file, EbmlTestReader.Child(file, header, 0x4287)));
        Assert.Equal(2ul, EbmlTestReader.UInt(file, EbmlTestReader.Child(file, header, 0x4285)));
        var segment = top[1];
        Assert.Equal(file.Length, segment.End);
        var info = EbmlTestReader.Child(file, segment, 0x1549A966);
        Assert.Equal(1_000_000ul, EbmlTestReader.UInt(file, EbmlTestReader.Child(file, info, 0x2AD7B1)));
        Assert.Equal("conclavectl", EbmlTestReader.String(file, EbmlTestReader.Child(file, info, 0x4D80)));
        Assert.InRange(EbmlTestReader.Float(file, EbmlTestReader.Child(file, info, 0x4489)), 3_990, 4_040);

        var seekHead = EbmlTestReader.Child(file, segment, 0x114D9B74);
        var cuesSeek = EbmlTestReader.Children(file, seekHead).Single(seek => EbmlTestReader.UInt(file, EbmlTestReader.Child(file, seek, 0x53AB)) == 0x1C53BB6B);
        var cues = EbmlTestReader.ReadAt(file, segment.DataStart + (long)EbmlTestReader.UInt(file, EbmlTestReader.Child(file, cuesSeek, 0x53AC)));
        Assert.Equal(0x1C53BB6Bu, cues.Id);
        var cuePoints = EbmlTestReader.Children(file, cues);
        int keyFrames = Files.VideoFrames.Count(MediaFiles.IsKeyFrame);
        Assert.Equal(keyFrames, cuePoints.Count);
        foreach (var point in cuePoints)
        {
            var positions = EbmlTestReader.Child(file, point, 0xB7);
            Assert.Equal(1ul, EbmlTestReader.UInt(file, EbmlTestReader.Child(file, positions, 0xF7)));
            var cluster = EbmlTestReader.ReadAt(file, segment.DataStart + (long)EbmlTestReader.UInt(file, EbmlTestReader.Child(file, positions, 0xF1)));
            Assert.Equal(0x1F43B675u, cluster.Id);
            Assert.Equal(EbmlTestReader.UInt(file, EbmlTestReader.Child(file, point, 0xB3)), EbmlTestReader.UInt(file, EbmlTestReader.Child(file, cluster, 0xE7)));
            var firstBlock = EbmlTestReader.Children(file, cluster).First(e => e.Id == 0xA3);
            Assert.Equal(0x81, file[firstBlock.DataStart]);        // track 1, the video
            Assert.Equal(0x80, file[firstBlock.DataStart + 3]);    // the keyframe flag
        }
        foreach (var cluster in EbmlTestReader.Children(file, segment).Where(e => e.Id == 0x1F43B675))
        {
            var lastBlock = EbmlTestReader.Children(file, cluster).Last(e => e.Id == 0xA3);
            Assert.InRange((short)(file[lastBlock.DataStart + 1] << 8 | file[lastBlock.DataStart + 2]), 0, 4_999);
        }
        var seeked = Ffmpeg.Run("ffmpeg", "-v", "error", "-xerror", "-ss", "2.5", "-i", path, "-f", "null", "-");
        Assert.Equal((0, ""), (seeked.ExitCode, seeked.StandardError));
    }

    private (IReadOnlyList<StreamExportResult> Results, string Path) Export(RecordedParticipant participant)
    {
        string path = Path.Combine(_directory, "participant.webm");
        using var file = File.Create(path);
        var results = ParticipantExporter.WriteWebm(participant.Media(), participant.Escrow, file);
        return (results, path);
    }

    /// <summary>Moves every packet of <paramref name="frame"/> <paramref name="ticks"/> (90 kHz) later, as if captured then.</summary>
    private static void ShiftVideoTimestamp(RecordedParticipant participant, int frame, uint ticks)
    {
        foreach (var packet in participant.Video.Where(p => p.Frame == frame))
        {
            var timestamp = packet.Bytes.AsSpan(4, 4);
            BinaryPrimitives.WriteUInt32BigEndian(timestamp, unchecked(BinaryPrimitives.ReadUInt32BigEndian(timestamp) + ticks));
        }
    }

    private static StreamExportResult Result(IReadOnlyList<StreamExportResult> results, string kind) => results.Single(r => r.Kind == kind);

    private static void AssertDecodesCleanly(string path)
    {
        var decoded = Ffmpeg.DecodeAll(path);
        Assert.Equal((0, ""), (decoded.ExitCode, decoded.StandardError));
    }

    /// <summary>
    /// Matroska presents a block at its timestamp less the track's CodecDelay (RFC 9559),
    /// which for Opus is the encoder's 312-sample look-ahead (6.5 ms): the decoded audio of a packet
    /// is that much older than its RTP timestamp. ffprobe shows it in whole milliseconds.
    /// </summary>
    private static void AssertAudioStartsAt(double expectedSeconds, double firstAudioSeconds) =>
        Assert.InRange(firstAudioSeconds, expectedSeconds - 0.008, expectedSeconds - 0.005);

    private static int NextKeyFrame(int after)
    {
        for (int frame = after + 1; frame < VideoFrames; frame++)
        {
            if (MediaFiles.IsKeyFrame(Files.VideoFrames[frame])) return frame;
        }
        return VideoFrames;
    }

    private static ulong FirstArrival(List<TestPacket> packets, int frame) => packets.First(p => p.Frame == frame).ArrivalMicroseconds;

    /// <summary>Swaps neighbours, reverses runs of five and sends every seventh packet twice, the copy later.</summary>
    private static List<TestPacket> Scramble(List<TestPacket> packets)
    {
        var scrambled = new List<TestPacket>(packets);
        for (int i = 0; i + 1 < scrambled.Count; i += 2) (scrambled[i], scrambled[i + 1]) = (scrambled[i + 1], scrambled[i]);
        for (int i = 0; i + 5 <= scrambled.Count; i += 10) scrambled.Reverse(i, 5);
        for (int i = scrambled.Count - 1; i >= 0; i -= 7) scrambled.Insert(Math.Min(scrambled.Count, i + 3), scrambled[i] with { ArrivalMicroseconds = scrambled[i].ArrivalMicroseconds + 30_000 });
        return scrambled;
    }
}
