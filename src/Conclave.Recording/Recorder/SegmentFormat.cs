using System.Buffers.Binary;
using System.Globalization;
using System.Security.Cryptography;

namespace Conclave.Recording.Recorder;

/// <summary>
/// The bytes and names of a recording directory (docs/recording.md):
/// <code>
/// segment: "CRSG" ‖ uint8 version ‖ recording_id[16] ‖ uint32 index (from 1) ‖ uint64 recording start Unix ms ‖ records…
/// record:  uint8 type ‖ uint64 arrival_us ‖ uint32 body_length ‖ body
/// </code>
/// </summary>
public static class SegmentFormat
{
    public const int RecordingIdBytes = 16;
    public const int HeaderBytes = 4 + 1 + RecordingIdBytes + 4 + 8;
    public const int RecordHeaderBytes = 1 + 8 + 4;

    /// <summary>Written when the recording starts (the manifest's fields known then), so crash recovery knows the meeting.</summary>
    public const string StartFileName = "start.cnsl";

    public const string ManifestFileName = "manifest.cnsl";

    /// <summary>A recording's manifest as plain UTF-8 JSON, where its segments' storage-KEK layer has been removed.</summary>
    public const string PlainManifestFileName = "manifest.json";

    /// <summary>What an atomic write is called until it is complete and renamed.</summary>
    public const string TemporarySuffix = ".tmp";

    private const string SegmentPrefix = "segment-";
    private const string SealedSuffix = ".cnsl";
    private const string PlainSuffix = ".crsg";

    private static ReadOnlySpan<byte> Magic => "CRSG"u8;

    /// <summary><c>segment-000001.cnsl</c> for index 1.</summary>
    public static string SegmentFileName(uint index) => SegmentPrefix + index.ToString("D6", CultureInfo.InvariantCulture) + SealedSuffix;

    /// <summary>The plain file of a segment whose storage-KEK layer has been removed: <c>segment-000001.crsg</c>.</summary>
    public static string PlainSegmentFileName(string segmentFileName) => Path.ChangeExtension(segmentFileName, PlainSuffix);

    /// <summary>The manifest name of the segment a plain file holds (<c>segment-000001.crsg</c> → <c>segment-000001.cnsl</c>); false for any other name.</summary>
    public static bool TryParsePlainSegmentFileName(string fileName, out string segmentName)
    {
        segmentName = Path.ChangeExtension(fileName, SealedSuffix);
        return fileName.EndsWith(PlainSuffix, StringComparison.Ordinal) && TryParseSegmentFileName(segmentName, out _);
    }

    /// <summary>The index of a sealed segment's file name; false for any other name.</summary>
    public static bool TryParseSegmentFileName(string fileName, out uint index)
    {
        index = 0;
        if (!fileName.StartsWith(SegmentPrefix, StringComparison.Ordinal) || !fileName.EndsWith(SealedSuffix, StringComparison.Ordinal)) return false;
        var digits = fileName.AsSpan(SegmentPrefix.Length, fileName.Length - SegmentPrefix.Length - SealedSuffix.Length);
        return digits.Length >= 6 && uint.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out index) && index > 0
            && fileName == SegmentFileName(index);
    }

    /// <summary>A recording's directory: its id in 32 lowercase hex digits.</summary>
    public static string DirectoryName(ReadOnlySpan<byte> recordingId) => Convert.ToHexStringLower(recordingId);

    public static bool IsDirectoryName(string name) =>
        name.Length == 2 * RecordingIdBytes && name.AsSpan().IndexOfAnyExcept("0123456789abcdef") < 0;

    internal static void WriteHeader(Span<byte> header, ReadOnlySpan<byte> recordingId, uint index, long startedUnixMs)
    {
        Magic.CopyTo(header);
        header[4] = RecordingFormat.Version;
        recordingId.CopyTo(header[5..]);
        BinaryPrimitives.WriteUInt32BigEndian(header[(5 + RecordingIdBytes)..], index);
        BinaryPrimitives.WriteInt64BigEndian(header[(9 + RecordingIdBytes)..], startedUnixMs);
    }

    internal static bool TryReadHeader(ReadOnlySpan<byte> segment, out byte version, out ReadOnlySpan<byte> recordingId, out uint index, out long startedUnixMs)
    {
        version = 0;
        recordingId = default;
        index = 0;
        startedUnixMs = 0;
        if (segment.Length < HeaderBytes || !segment.StartsWith(Magic)) return false;
        version = segment[4];
        recordingId = segment.Slice(5, RecordingIdBytes);
        index = BinaryPrimitives.ReadUInt32BigEndian(segment[(5 + RecordingIdBytes)..]);
        startedUnixMs = BinaryPrimitives.ReadInt64BigEndian(segment[(9 + RecordingIdBytes)..]);
        return true;
    }

    internal static void WriteRecordHeader(Span<byte> header, RecordType type, ulong arrivalUs, int bodyLength)
    {
        header[0] = (byte)type;
        BinaryPrimitives.WriteUInt64BigEndian(header[1..], arrivalUs);
        BinaryPrimitives.WriteUInt32BigEndian(header[9..], (uint)bodyLength);
    }

    /// <summary>
    /// SHA-256 of a sealed segment file without its wrapped data key: a storage-KEK rotation
    /// re-wraps that key in place (docs/sealed-storage.md) and must not change the hash the
    /// manifest keeps; everything else of the file is covered.
    /// </summary>
    public static byte[] SealedSha256(ReadOnlySpan<byte> sealedFile)
    {
        const int fixedHeaderBytes = 14; // "CNSL" ‖ version ‖ nonce prefix (7) ‖ wrapped key length (2)
        if (sealedFile.Length < fixedHeaderBytes) return SHA256.HashData(sealedFile);
        int wrappedEnd = Math.Min(sealedFile.Length, fixedHeaderBytes + BinaryPrimitives.ReadUInt16BigEndian(sealedFile[12..]));
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(sealedFile[..fixedHeaderBytes]);
        hash.AppendData(sealedFile[wrappedEnd..]);
        return hash.GetHashAndReset();
    }
}
