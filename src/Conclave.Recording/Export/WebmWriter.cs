using System.Buffers.Binary;

namespace Conclave.Recording.Export;

/// <summary>A WebM track; its number is also its UID and what its blocks carry.</summary>
internal abstract record WebmTrack(int Number);

/// <summary>V_VP8, its size as the first key frame's header gives it (RFC 6386 §9.1).</summary>
internal sealed record WebmVideoTrack(int Number, int PixelWidth, int PixelHeight) : WebmTrack(Number);

/// <summary>A_OPUS at 48 kHz.</summary>
internal sealed record WebmAudioTrack(int Number, int Channels) : WebmTrack(Number);

/// <summary>
/// Writes a seekable WebM file (the Matroska subset of the WebM container guidelines; RFC 9559
/// for the elements) to a seekable stream, one frame at a time, in timestamp order: the EBML
/// header, then a Segment with a SeekHead, Info, Tracks, Clusters of SimpleBlocks and Cues at
/// the end. Timestamps are milliseconds (TimestampScale 1,000,000 ns). A Cluster starts at each
/// key frame of the first video track (so every Cue points at a cluster a decoder can start
/// from) and at the latest 5 s after the one before; with no video, every 5 s. Sizes known only
/// at the end (Segment, Clusters, the Cues' place, Duration) are written over their placeholders.
/// </summary>
internal sealed class WebmWriter
{
    public const long MaxClusterMilliseconds = 5_000;
    public const string ApplicationName = "conclavectl";

    private const ulong NanosecondsPerMillisecond = 1_000_000;
    /// <summary>RFC 7845 §4.6 and Matroska's A_OPUS: decode 80 ms before a seek target to converge.</summary>
    private const ulong OpusSeekPreRollNanoseconds = 80 * NanosecondsPerMillisecond;
    private const ulong OpusCodecDelayNanoseconds = OpusHead.PreSkipSamples * 1_000_000_000UL / OpusHead.SampleRate;
    /// <summary>Track number VINT, 16-bit relative timestamp, flags (RFC 9559, "SimpleBlock Structure").</summary>
    private const int SimpleBlockHeaderLength = 4;
    private const byte KeyFrameFlag = 0x80;
    /// <summary>A Seek entry's data: SeekID (3 + 4) and an 8-byte SeekPosition (3 + 8).</summary>
    private const int SeekEntryDataLength = 7 + 11;

    private readonly EbmlWriter _ebml;
    private readonly long _segmentSizePosition;
    private readonly long _segmentDataStart;
    private readonly long _durationPosition;
    private readonly long _cuesSeekPositionPosition;
    private readonly WebmTrack? _cueTrack;
    private readonly List<(long TimestampMs, long ClusterPosition)> _cuePoints = [];
    private long _clusterSizePosition = -1;
    private long _clusterTimestampMs;

    public WebmWriter(Stream output, IReadOnlyList<WebmTrack> tracks)
    {
        if (!output.CanSeek) throw new ArgumentException("a WebM export writes its sizes at the end, so it needs a seekable stream", nameof(output));
        _ebml = new EbmlWriter(output);
        WriteEbmlHeader();
        _segmentSizePosition = _ebml.StartMaster(MatroskaIds.Segment);
        _segmentDataStart = _ebml.Position;

        long seekHead = _ebml.StartMaster(MatroskaIds.SeekHead);
        long infoSeekPosition = WriteSeekEntry(MatroskaIds.Info);
        long tracksSeekPosition = WriteSeekEntry(MatroskaIds.Tracks);
        _cuesSeekPositionPosition = WriteSeekEntry(MatroskaIds.Cues);
        _ebml.EndMaster(seekHead);

        _ebml.PatchFixedUInt(infoSeekPosition, SegmentOffset());
        long info = _ebml.StartMaster(MatroskaIds.Info);
        _ebml.WriteUInt(MatroskaIds.TimestampScale, NanosecondsPerMillisecond);
        _ebml.WriteString(MatroskaIds.MuxingApp, ApplicationName);
        _ebml.WriteString(MatroskaIds.WritingApp, ApplicationName);
        _durationPosition = _ebml.WriteFloat(MatroskaIds.Duration, 0);
        _ebml.EndMaster(info);

        _ebml.PatchFixedUInt(tracksSeekPosition, SegmentOffset());
        WriteTracks(tracks);
        foreach (var track in tracks)
        {
            if (track is WebmVideoTrack) { _cueTrack = track; break; }
            _cueTrack ??= track;
        }
    }

    /// <summary>Adds a frame at <paramref name="timestampMs"/>, which is never before the frame written last.</summary>
    public void WriteFrame(WebmTrack track, long timestampMs, bool keyFrame, ReadOnlySpan<byte> frame)
    {
        bool cuePoint = ReferenceEquals(track, _cueTrack) && keyFrame;
        bool clusterFull = timestampMs - _clusterTimestampMs >= MaxClusterMilliseconds;
        if (_clusterSizePosition < 0 || clusterFull || (cuePoint && track is WebmVideoTrack)) StartCluster(timestampMs, cuePoint ? track : null);
        long relative = timestampMs - _clusterTimestampMs;
        if (relative < 0) throw new ArgumentOutOfRangeException(nameof(timestampMs), timestampMs, "frames are written in timestamp order");

        Span<byte> header = stackalloc byte[4 + 8 + SimpleBlockHeaderLength];
        int length = EbmlWriter.WriteId(header, MatroskaIds.SimpleBlock);
        length += EbmlWriter.WriteSize(header[length..], SimpleBlockHeaderLength + frame.Length);
        header[length++] = (byte)(0x80 | track.Number);
        BinaryPrimitives.WriteInt16BigEndian(header[length..], (short)relative);
        length += 2;
        header[length++] = keyFrame ? KeyFrameFlag : (byte)0;
        _ebml.Output.Write(header[..length]);
        _ebml.Output.Write(frame);
    }

    /// <summary>Closes the last Cluster, writes the Cues and every size left open; <paramref name="durationMs"/> is the Segment's.</summary>
    public void Finish(long durationMs)
    {
        EndCluster();
        // The export starts every video track at a key frame and every Opus frame is one, so a cue is always there.
        if (_cuePoints.Count == 0) throw new InvalidOperationException("a WebM export needs a key frame of its first video track, or with no video an audio frame");
        _ebml.PatchFixedUInt(_cuesSeekPositionPosition, SegmentOffset());
        WriteCues();
        _ebml.EndMaster(_segmentSizePosition);
        _ebml.PatchFloat(_durationPosition, Math.Max(durationMs, 1));
        _ebml.Output.Flush();
    }

    private ulong SegmentOffset() => (ulong)(_ebml.Position - _segmentDataStart);

    private void WriteEbmlHeader()
    {
        long header = _ebml.StartMaster(MatroskaIds.Ebml);
        _ebml.WriteUInt(MatroskaIds.EbmlVersion, 1);
        _ebml.WriteUInt(MatroskaIds.EbmlReadVersion, 1);
        _ebml.WriteUInt(MatroskaIds.EbmlMaxIdLength, 4);
        _ebml.WriteUInt(MatroskaIds.EbmlMaxSizeLength, 8);
        _ebml.WriteString(MatroskaIds.DocType, "webm");
        _ebml.WriteUInt(MatroskaIds.DocTypeVersion, 4);
        _ebml.WriteUInt(MatroskaIds.DocTypeReadVersion, 2);
        _ebml.EndMaster(header);
    }

    /// <summary>A Seek entry whose position is filled in later; returns where its position value lies.</summary>
    private long WriteSeekEntry(uint target)
    {
        _ebml.WriteHeader(MatroskaIds.Seek, SeekEntryDataLength);
        Span<byte> id = stackalloc byte[4];
        EbmlWriter.WriteId(id, target);
        _ebml.WriteBinary(MatroskaIds.SeekId, id);
        return _ebml.WriteFixedUInt(MatroskaIds.SeekPosition, 0);
    }

    private void WriteTracks(IReadOnlyList<WebmTrack> tracks)
    {
        long tracksElement = _ebml.StartMaster(MatroskaIds.Tracks);
        foreach (var track in tracks)
        {
            long entry = _ebml.StartMaster(MatroskaIds.TrackEntry);
            _ebml.WriteUInt(MatroskaIds.TrackNumber, (ulong)track.Number);
            _ebml.WriteUInt(MatroskaIds.TrackUid, (ulong)track.Number);
            _ebml.WriteUInt(MatroskaIds.FlagLacing, 0);
            switch (track)
            {
                case WebmVideoTrack video:
                    _ebml.WriteUInt(MatroskaIds.TrackType, 1);
                    _ebml.WriteString(MatroskaIds.CodecId, "V_VP8");
                    long videoElement = _ebml.StartMaster(MatroskaIds.Video);
                    _ebml.WriteUInt(MatroskaIds.PixelWidth, (ulong)video.PixelWidth);
                    _ebml.WriteUInt(MatroskaIds.PixelHeight, (ulong)video.PixelHeight);
                    _ebml.EndMaster(videoElement);
                    break;
                case WebmAudioTrack audio:
                    _ebml.WriteUInt(MatroskaIds.TrackType, 2);
                    _ebml.WriteString(MatroskaIds.CodecId, "A_OPUS");
                    _ebml.WriteBinary(MatroskaIds.CodecPrivate, OpusHead.Create(audio.Channels));
                    _ebml.WriteUInt(MatroskaIds.CodecDelay, OpusCodecDelayNanoseconds);
                    _ebml.WriteUInt(MatroskaIds.SeekPreRoll, OpusSeekPreRollNanoseconds);
                    long audioElement = _ebml.StartMaster(MatroskaIds.Audio);
                    _ebml.WriteFloat(MatroskaIds.SamplingFrequency, OpusHead.SampleRate);
                    _ebml.WriteUInt(MatroskaIds.Channels, (ulong)audio.Channels);
                    _ebml.EndMaster(audioElement);
                    break;
            }
            _ebml.EndMaster(entry);
        }
        _ebml.EndMaster(tracksElement);
    }

    private void StartCluster(long timestampMs, WebmTrack? cueTrack)
    {
        EndCluster();
        long clusterPosition = _ebml.Position - _segmentDataStart;
        _clusterSizePosition = _ebml.StartMaster(MatroskaIds.Cluster);
        _clusterTimestampMs = timestampMs;
        _ebml.WriteUInt(MatroskaIds.Timestamp, (ulong)timestampMs);
        if (cueTrack is not null) _cuePoints.Add((timestampMs, clusterPosition));
    }

    private void EndCluster()
    {
        if (_clusterSizePosition < 0) return;
        _ebml.EndMaster(_clusterSizePosition);
        _clusterSizePosition = -1;
    }

    private void WriteCues()
    {
        long cues = _ebml.StartMaster(MatroskaIds.Cues);
        foreach (var (timestampMs, clusterPosition) in _cuePoints)
        {
            long point = _ebml.StartMaster(MatroskaIds.CuePoint);
            _ebml.WriteUInt(MatroskaIds.CueTime, (ulong)timestampMs);
            long positions = _ebml.StartMaster(MatroskaIds.CueTrackPositions);
            _ebml.WriteUInt(MatroskaIds.CueTrack, (ulong)_cueTrack!.Number);
            _ebml.WriteUInt(MatroskaIds.CueClusterPosition, (ulong)clusterPosition);
            _ebml.EndMaster(positions);
            _ebml.EndMaster(point);
        }
        _ebml.EndMaster(cues);
    }
}
