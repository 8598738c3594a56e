namespace Conclave.Recording.Recorder;

/// <summary>Where and how the recorder stores (docs/recording.md).</summary>
public sealed class RecorderOptions
{
    /// <summary><c>&lt;state&gt;/sealed/recordings</c>: one directory per recording, named by its id.</summary>
    public string RecordingsDirectory { get; set; } = "";

    /// <summary>A segment covers at most this much arrival time, so a crash loses at most this much.</summary>
    public int SegmentMilliseconds { get; set; } = 2000;

    /// <summary>A segment's plaintext is at most this long (one record longer than this is a segment of its own).</summary>
    public int SegmentMaxBytes { get; set; } = 16 << 20;

    /// <summary>
    /// The copy of records waiting for a recording's writer: when it is full, a record is
    /// dropped and counted rather than the media loop waiting for the disk.
    /// </summary>
    public int RingBytes { get; set; } = 8 << 20;
}
