using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Conclave.Recording.Export;

/// <summary>
/// <c>manifest.json</c> of an export (docs/recording.md, "Export: the whole recording"): what was
/// exported from which recording, who took part, what each file holds and how far to trust its
/// attribution, every epoch and its escrow, what went wrong, and each file's SHA-256. The
/// compliance token signs its exact bytes into <c>manifest.sig</c>.
/// </summary>
internal sealed record ExportManifest(
    string Format,
    RecordingFacts Recording,
    SigningKeyFacts SigningKey,
    IReadOnlyList<EscrowKeyFacts> EscrowKeys,
    IReadOnlyList<ParticipantFacts> Participants,
    IReadOnlyList<MediaFacts> Media,
    IReadOnlyList<EpochFacts> Epochs,
    ChatFacts? Chat,
    IReadOnlyList<RecorderGapFacts> RecorderGaps,
    IReadOnlyList<string> Problems,
    IReadOnlyList<FileFacts> Files)
{
    public const string FormatVersion = "conclave-export-v1";
}

/// <param name="ManifestSha256">Hex SHA-256 of the recording's own manifest as stored; see <paramref name="ManifestSha256Is"/>.</param>
internal sealed record RecordingFacts(
    string RecordingId, string MeetingId, long StartedUnixMs, long? StoppedUnixMs, string? EndedBy, long DroppedRecords,
    string ManifestSha256, string ManifestSha256Is);

/// <param name="Spki">Base64 DER SubjectPublicKeyInfo of the key that signed manifest.sig (ECDSA P-256, SHA-256, DER).</param>
internal sealed record SigningKeyFacts(string Spki, string KeyId);

internal sealed record EscrowKeyFacts(string KeyId, int BlobsOpened);

/// <param name="CaSignature">"valid", "invalid", "not a ConclaveCredential", or "none recorded".</param>
internal sealed record ParticipantFacts(
    string ParticipantId, string? DisplayName, string? AttendeeKey, string? Kind, string? MeetingId, ulong? NotAfterUnixSeconds,
    string CaSignature, string? CredentialSha256);

/// <param name="File">The WebM, or null with <paramref name="NoFile"/> saying why.</param>
/// <param name="TransportBasis">Why this media is said to be the participant's, from the transport.</param>
internal sealed record MediaFacts(string ParticipantId, string? File, string? NoFile, string TransportBasis, IReadOnlyList<StreamFacts> Streams);

/// <param name="KidBasis">How many of the stream's authentic frames carried a KID naming the participant's leaf.</param>
internal sealed record StreamFacts(
    string Kind, uint Ssrc, int FramesWritten, int FramesUndecryptable, int FramesSkippedAfterLoss, int PacketsLost,
    int FramesFromPublisher, int FramesFromOtherSender, int? Width, int? Height, string KidBasis, IReadOnlyList<ExportGap> Gaps);

/// <param name="Escrow">"escrowed" or "no escrow" (its frames are gaps in the WebM files).</param>
/// <param name="SecurityCode">What members' browsers showed for the epoch, from its escrowed epoch authenticator.</param>
internal sealed record EpochFacts(
    int Generation, ulong Epoch, ulong? RecordedAtUs, string Escrow, IReadOnlyList<uint> SealerLeaves, IReadOnlyList<string> EscrowKeyIds,
    string? SecurityCode, uint? LeafCount, bool? ChatKey, IReadOnlyList<RosterFacts>? Roster);

/// <param name="ParticipantId">Null when the leaf's credential did not verify.</param>
internal sealed record RosterFacts(uint Leaf, string? ParticipantId, string? DisplayName);

internal sealed record ChatFacts(string File, int Lines, int SignatureValid, int SignatureInvalid, int Undecryptable);

/// <summary>A Gap record: the recorder fell behind and dropped records there.</summary>
internal sealed record RecorderGapFacts(ulong ArrivalUs, uint DroppedRecords);

internal sealed record FileFacts(string Name, string Sha256, long Bytes);

/// <summary>
/// One line of <c>chat.jsonl</c>. <paramref name="RelayedFor"/> is the peer whose session the
/// appliance relayed it from; <paramref name="ParticipantId"/> and <paramref name="DisplayName"/>
/// are the signing leaf's credential's. A line that did not open has <paramref name="Undecryptable"/>
/// and neither text nor signature.
/// </summary>
/// <param name="Signature">"valid" or "invalid": the leaf's MLS signature over the line (RFC 9420 §5.1.2).</param>
internal sealed record ChatLine(
    long ArrivalUnixMs, int Generation, ulong Epoch, string RelayedFor, long? SentAtMs, uint? Leaf, string? ParticipantId, string? DisplayName,
    string? Text, string? Signature, string? Undecryptable);

/// <summary>One output an interrupted export need not make again: its file (none when there was nothing to write) and what the manifest needs of it.</summary>
internal sealed record CompletedOutput(string Output, string? File, string? Sha256, long Bytes, IReadOnlyList<StreamExportResult>? Streams, ChatFacts? Chat);

/// <summary>
/// The progress file of an export directory: which recording, with which escrow keys and credential
/// CA (<paramref name="InputsSha256"/>: outputs made with other keys would not be what this run
/// makes), and the outputs completed.
/// </summary>
internal sealed record ExportProgressFile(string RecordingId, string ManifestSha256, string InputsSha256, List<CompletedOutput> Outputs);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ExportManifest))]
[JsonSerializable(typeof(ChatLine))]
[JsonSerializable(typeof(ExportProgressFile))]
internal sealed partial class ExportJsonContext : JsonSerializerContext
{
    /// <summary>Indented, names and text as written (a file, never HTML, so no escaping beyond JSON's).</summary>
    public static ExportJsonContext Indented { get; } = new(CreateOptions(writeIndented: true));

    /// <summary>One JSON object per line.</summary>
    public static ExportJsonContext Compact { get; } = new(CreateOptions(writeIndented: false));

    private static JsonSerializerOptions CreateOptions(bool writeIndented) => new(JsonSerializerDefaults.Web)
    {
        WriteIndented = writeIndented,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };
}
