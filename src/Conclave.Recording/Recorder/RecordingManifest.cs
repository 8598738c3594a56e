using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conclave.Recording.Recorder;

/// <summary>
/// What a recording holds, written sealed as <c>manifest.cnsl</c> when it stops (and by crash
/// recovery): the segments in order with their hashes, the records dropped, why it ended.
/// </summary>
public sealed record RecordingManifest
{
    public int Version { get; init; } = RecordingFormat.Version;

    /// <summary>32 lowercase hex digits, the recording directory's name.</summary>
    public required string RecordingId { get; init; }

    public required string MeetingId { get; init; }

    public required long StartedUnixMs { get; init; }

    /// <summary>Absent in the start file; after a crash, the arrival time of the last record recovered.</summary>
    public long? StoppedUnixMs { get; init; }

    public IReadOnlyList<ManifestSegment> Segments { get; init; } = [];

    /// <summary>Records the writer could not keep up with (each run of them is a Gap record in a segment).</summary>
    public long DroppedRecords { get; init; }

    /// <summary>One of <see cref="Recorder.EndedBy"/>; absent in the start file.</summary>
    public string? EndedBy { get; init; }

    public byte[] ToUtf8Json() => JsonSerializer.SerializeToUtf8Bytes(this, RecordingManifestJsonContext.Default.RecordingManifest);

    /// <summary>SHA-256 of <see cref="ToUtf8Json"/>: what the audit log keeps of a stopped recording.</summary>
    public byte[] Sha256() => SHA256.HashData(ToUtf8Json());

    /// <exception cref="RecordingDataException">Not a manifest this build reads; the message names <paramref name="fileName"/>.</exception>
    public static RecordingManifest Parse(ReadOnlySpan<byte> utf8Json, string fileName)
    {
        RecordingManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize(utf8Json, RecordingManifestJsonContext.Default.RecordingManifest);
        }
        catch (JsonException e)
        {
            throw new RecordingDataException($"{fileName}: not a recording manifest ({e.Message})", e);
        }
        if (manifest is null) throw new RecordingDataException($"{fileName}: not a recording manifest (null)");
        if (manifest.Version != RecordingFormat.Version) throw new RecordingDataException($"{fileName}: recording format version {manifest.Version} is not supported (this build reads {RecordingFormat.Version})");
        return manifest;
    }
}

/// <summary>
/// One sealed segment: <paramref name="Sha256"/> of its sealed file without the wrapped data key
/// (<see cref="SegmentFormat.SealedSha256"/>), <paramref name="PlaintextSha256"/> and
/// <paramref name="Bytes"/> of its plaintext (what an offline bundle carries), its records and
/// the first and last of their arrival times (µs since the recording started).
/// </summary>
public sealed record ManifestSegment(string Name, string Sha256, string PlaintextSha256, int Records, long Bytes, ulong FirstArrivalUs, ulong LastArrivalUs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, WriteIndented = true, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RecordingManifest))]
internal sealed partial class RecordingManifestJsonContext : JsonSerializerContext;
