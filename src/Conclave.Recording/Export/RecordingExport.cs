using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Export;

/// <summary>What to export, with what.</summary>
/// <param name="Recording">The stored recording (<see cref="RecordingReader.OpenSealed"/> or <see cref="RecordingReader.OpenPlain"/>).</param>
/// <param name="EscrowKeys">The compliance token's escrow keys (their DH done on the token).</param>
/// <param name="CredentialCaPublicKey">DER SubjectPublicKeyInfo of the appliance's credential CA, which signs every ConclaveCredential.</param>
/// <param name="OutputDirectory">New, empty, or an interrupted export of the same recording (which is resumed).</param>
/// <param name="SignManifest">ECDSA P-256/SHA-256 over the manifest's bytes, DER, by the compliance token's signing key.</param>
/// <param name="SigningPublicKey">DER SubjectPublicKeyInfo of that signing key, written into the manifest.</param>
public sealed record ExportRequest(
    RecordingReader Recording,
    IReadOnlyList<DelegatedHpkeRecipient> EscrowKeys,
    byte[] CredentialCaPublicKey,
    string OutputDirectory,
    Func<byte[], byte[]> SignManifest,
    byte[] SigningPublicKey);

/// <summary>
/// How far an export is: <see cref="RecordingExport.ReadStage"/> (segments), <see cref="RecordingExport.EscrowStage"/>
/// (blobs), "media &lt;participant id&gt;" (participants), <see cref="RecordingExport.ChatStage"/> (lines),
/// <see cref="RecordingExport.SignStage"/>.
/// </summary>
public sealed record ExportProgress(string Stage, long Done, long Total);

/// <param name="Files">Every file the export holds (the manifest and its signature included), full paths.</param>
/// <param name="Problems">What did not open, agree, verify or attribute; each is also in the manifest.</param>
public sealed record ExportResult(string ManifestPath, IReadOnlyList<string> Files, IReadOnlyList<string> Problems);

/// <summary>
/// A whole recording to one WebM per publishing participant, a chat transcript and a manifest the
/// compliance token signs (docs/recording.md, "Export: the whole recording"). The segments are
/// read twice at most: once for everything but RTP, which is set aside per publisher, then each
/// publisher's RTP alone, so memory holds one participant's media at a time.
/// </summary>
public static class RecordingExport
{
    public const string ReadStage = "read", EscrowStage = "escrow", MediaStage = "media", ChatStage = "chat", SignStage = "sign";

    private const string MediaOutputPrefix = "media:";
    private const string ChatOutput = "chat";
    private const int MaxNameCharacters = 40;

    /// <summary>The base letter of each of U+00C0–U+017F (Latin-1 Supplement letters, Latin Extended-A); '-' for × and ÷.</summary>
    private const string LatinFold = "AAAAAAACEEEEIIIIDNOOOOO-OUUUUYTsaaaaaaaceeeeiiiidnooooo-ouuuuytyAaAaAaCcCcCcCcDdDdEeEeEeEeEeGgGgGgGgHhHhIiIiIiIiIiIiJjKkkLlLlLlLlLlNnNnNnnNnOoOoOoOoRrRrRrSsSsSsSsTtTtTtUuUuUuUuUuUuWwYyYZzZzZzs";
    private const char LatinFoldFirst = '\u00C0';

    /// <exception cref="RecordingExportException">The output directory holds files the export did not write.</exception>
    /// <exception cref="RecordingDataException">A segment is missing or altered; outputs of this run stay partial and a re-run redoes them.</exception>
    public static ExportResult Run(ExportRequest request, IProgress<ExportProgress>? progress = null, CancellationToken cancel = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var recording = request.Recording;
        var manifest = recording.Manifest;
        string manifestSha256 = Convert.ToHexStringLower(recording.ManifestSha256);
        using var credentials = new CredentialCache(request.CredentialCaPublicKey);
        if (!P256PublicKey.TryReadSubjectPublicKeyInfo(request.SigningPublicKey, out _)) throw new ArgumentException("the signing key is not the SubjectPublicKeyInfo of a P-256 key", nameof(request));
        var directory = ExportDirectory.Open(request.OutputDirectory, manifest.RecordingId, manifestSha256, InputsSha256(request));

        var problems = new List<string>();
        var scan = new RecordingScan();
        try
        {
            var written = new List<FileFacts>();
            List<MediaFacts> media;
            ChatFacts? chat = null;
            EscrowOpening escrow;
            var completedMedia = new Dictionary<string, CompletedOutput>(StringComparer.Ordinal);
            using (var spill = new RtpSpill(directory.SpillPath))
            {
                scan.Read(recording, spill, publisher => directory.Completed(MediaOutputPrefix + publisher) is { } completed && completedMedia.TryAdd(publisher, completed), problems, progress, cancel);
                escrow = new EscrowOpening(Convert.FromHexString(manifest.RecordingId), request.EscrowKeys, credentials, problems);
                escrow.OpenAll(scan.Timeline, scan.Escrows, progress, cancel);
                scan.Timeline.Complete();
                media = WriteMedia(scan, spill, directory, completedMedia, credentials, written, problems, progress, cancel);
            }
            if (scan.Chats.Count > 0 || HasChatKey(scan.Timeline))
            {
                var completed = directory.Completed(ChatOutput);
                if (completed is null)
                {
                    ChatFacts? facts = null;
                    var file = directory.WriteFile(ChatTranscript.FileName, stream => facts = ChatTranscript.Write(scan.Chats, scan.Timeline, manifest.StartedUnixMs, stream, progress, cancel))!;
                    completed = new CompletedOutput(ChatOutput, file.Name, file.Sha256, file.Bytes, null, facts);
                    directory.Complete(completed);
                }
                chat = completed.Chat;
                written.Add(new FileFacts(completed.File!, completed.Sha256!, completed.Bytes));
            }

            progress?.Report(new ExportProgress(SignStage, 0, 1));
            written.Add(directory.WriteFile(ExportDirectory.SigningKeyFileName, file => file.Write(Encoding.ASCII.GetBytes(SigningKeyPem(request.SigningPublicKey))))!);
            written.Add(directory.WriteFile(ExportDirectory.ReadmeFileName, file => file.Write(Encoding.UTF8.GetBytes(Readme())))!);
            var exportManifest = new ExportManifest(
                ExportManifest.FormatVersion,
                new RecordingFacts(manifest.RecordingId, manifest.MeetingId, manifest.StartedUnixMs, manifest.StoppedUnixMs, manifest.EndedBy, manifest.DroppedRecords, manifestSha256,
                    "SHA-256 of the recording's manifest as the appliance stored it; the appliance's audit log holds the same value in the recording.stop entry that closed the recording, which ties this export to it"),
                new SigningKeyFacts(Convert.ToBase64String(request.SigningPublicKey), EscrowKeyId.DisplayOf(request.SigningPublicKey)),
                EscrowKeyFacts(request.EscrowKeys, escrow),
                ParticipantFacts(scan, credentials, manifest.MeetingId, problems),
                media,
                EpochFacts(scan.Timeline),
                chat,
                scan.Gaps,
                problems,
                written);
            var manifestBytes = JsonSerializer.SerializeToUtf8Bytes(exportManifest, ExportJsonContext.Indented.ExportManifest);
            var signature = request.SignManifest(manifestBytes);
            directory.WriteFile(ExportDirectory.ManifestFileName, file => file.Write(manifestBytes));
            directory.WriteFile(ExportDirectory.SignatureFileName, file => file.Write(signature));
            progress?.Report(new ExportProgress(SignStage, 1, 1));

            var files = new List<string>();
            foreach (var file in written) files.Add(Path.Combine(directory.Path, file.Name));
            string manifestPath = Path.Combine(directory.Path, ExportDirectory.ManifestFileName);
            files.Add(manifestPath);
            files.Add(Path.Combine(directory.Path, ExportDirectory.SignatureFileName));
            return new ExportResult(manifestPath, files, problems);
        }
        finally
        {
            foreach (var entry in scan.Timeline.Epochs)
            {
                if (entry.Escrowed is { } escrowed) EscrowOpening.Forget(escrowed);
            }
        }
    }

    /// <summary>SHA-256 of the credential CA key and the escrow keys' ids in order: what a resumed export must be given again.</summary>
    private static string InputsSha256(ExportRequest request)
    {
        var ids = new List<string>();
        foreach (var key in request.EscrowKeys) ids.Add(Convert.ToHexStringLower(EscrowKeyId.Of(key.SubjectPublicKeyInfo)));
        ids.Sort(StringComparer.Ordinal);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(request.CredentialCaPublicKey);
        foreach (string id in ids) hash.AppendData(Convert.FromHexString(id));
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static List<MediaFacts> WriteMedia(RecordingScan scan, RtpSpill spill, ExportDirectory directory, Dictionary<string, CompletedOutput> completedMedia,
        CredentialCache credentials, List<FileFacts> written,
        List<string> problems, IProgress<ExportProgress>? progress, CancellationToken cancel)
    {
        var media = new List<MediaFacts>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        for (int i = 0; i < scan.Publishers.Count; i++)
        {
            string publisher = scan.Publishers[i];
            progress?.Report(new ExportProgress($"{MediaStage} {publisher}", i, scan.Publishers.Count));
            cancel.ThrowIfCancellationRequested();
            var credential = scan.Credentials.TryGetValue(publisher, out var bytes) ? credentials.Read(bytes) : null;
            string output = MediaOutputPrefix + publisher;
            if (!completedMedia.TryGetValue(publisher, out var completed))
            {
                var (video, audio) = spill.Read(publisher);
                var participantMedia = new ParticipantMedia(video, audio, scan.SenderReports.GetValueOrDefault(publisher) ?? []);
                IReadOnlyList<StreamExportResult> results = [];
                FileFacts? file;
                using (var keys = new EscrowKeyLookup(scan.Timeline, publisher))
                {
                    file = directory.WriteFile(FileName(credential?.DisplayName, publisher, names), stream => results = ParticipantExporter.WriteWebm(participantMedia, keys, stream), keepEmpty: false);
                }
                spill.Release(publisher);
                completed = new CompletedOutput(output, file?.Name, file?.Sha256, file?.Bytes ?? 0, results, null);
                directory.Complete(completed);
            }
            else if (completed.File is not null)
            {
                names.Add(completed.File);
            }
            if (completed.File is not null) written.Add(new FileFacts(completed.File, completed.Sha256!, completed.Bytes));
            media.Add(Facts(publisher, credential, completed, problems));
        }
        if (scan.Publishers.Count > 0) progress?.Report(new ExportProgress(MediaStage, scan.Publishers.Count, scan.Publishers.Count));
        return media;
    }

    private static MediaFacts Facts(string publisher, CredentialFacts? credential, CompletedOutput completed, List<string> problems)
    {
        string transport = credential is null
            ? $"transport: arrived on media session {publisher}, for which no verifiable credential was recorded"
            : $"transport: arrived on the media session the appliance issued {credential.DisplayName}'s credential to ({publisher})";
        var streams = new List<StreamFacts>();
        foreach (var result in completed.Streams ?? [])
        {
            int authentic = result.FramesFromPublisher + result.FramesFromOtherSender;
            streams.Add(new StreamFacts(result.Kind, result.Ssrc, result.FramesWritten, result.FramesUndecryptable, result.FramesSkippedAfterLoss, result.PacketsLost,
                result.FramesFromPublisher, result.FramesFromOtherSender, result.Width, result.Height,
                $"kid: {result.FramesFromPublisher} of {authentic} frames' SFrame sender index was that participant's leaf", result.Gaps));
            if (result.FramesFromOtherSender > 0)
            {
                problems.Add($"{result.FramesFromOtherSender} {result.Kind} frame(s) of {publisher} (SSRC {result.Ssrc:X8}) carry another member's KID and were not written");
            }
        }
        string? noFile = completed.File is null ? "no frame of this participant could be written (see the streams' gaps)" : null;
        if (noFile is not null) problems.Add($"no media file for {publisher}: {noFile}");
        return new MediaFacts(publisher, completed.File, noFile, transport, streams);
    }

    private static List<EscrowKeyFacts> EscrowKeyFacts(IReadOnlyList<DelegatedHpkeRecipient> keys, EscrowOpening escrow)
    {
        var facts = new List<EscrowKeyFacts>();
        foreach (var key in keys)
        {
            string id = EscrowKeyId.DisplayOf(key.SubjectPublicKeyInfo);
            facts.Add(new EscrowKeyFacts(id, escrow.OpenedByKey.GetValueOrDefault(id)));
        }
        return facts;
    }

    private static List<ParticipantFacts> ParticipantFacts(RecordingScan scan, CredentialCache credentials, string meetingId, List<string> problems)
    {
        var facts = new List<ParticipantFacts>();
        foreach (string id in scan.ParticipantIds)
        {
            var bytes = scan.Credentials[id];
            string sha256 = Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (credentials.Read(bytes) is not { } credential)
            {
                problems.Add($"the credential recorded for {id} is not a ConclaveCredential");
                facts.Add(new ParticipantFacts(id, null, null, null, null, null, "not a ConclaveCredential", sha256));
                continue;
            }
            if (!credential.CaSignatureValid) problems.Add($"the credential recorded for {id} ({credential.DisplayName}) does not verify with the credential CA key");
            if (credential.ParticipantId != id) problems.Add($"the credential recorded for {id} names participant {credential.ParticipantId}");
            if (credential.MeetingId != meetingId) problems.Add($"the credential recorded for {id} is for meeting {credential.MeetingId}, not {meetingId}");
            facts.Add(new ParticipantFacts(id, credential.DisplayName, credential.AttendeeKey, credential.KindName, credential.MeetingId, credential.NotAfterUnixSeconds,
                credential.CaSignatureValid ? "valid" : "invalid", sha256));
        }
        foreach (string publisher in scan.Publishers)
        {
            if (!scan.Credentials.ContainsKey(publisher)) facts.Add(new ParticipantFacts(publisher, null, null, null, null, null, "none recorded", null));
        }
        return facts;
    }

    private static List<EpochFacts> EpochFacts(EpochTimeline timeline)
    {
        var ordered = new List<TimelineEpoch>(timeline.Epochs);
        ordered.Sort((a, b) => a.Generation != b.Generation ? a.Generation.CompareTo(b.Generation) : a.Epoch.CompareTo(b.Epoch));
        var facts = new List<EpochFacts>();
        foreach (var entry in ordered)
        {
            var sealers = new List<uint>();
            var keys = new List<string>();
            foreach (var copy in entry.Copies)
            {
                if (!sealers.Contains(copy.SealerLeaf)) sealers.Add(copy.SealerLeaf);
                if (!keys.Contains(copy.EscrowKeyId)) keys.Add(copy.EscrowKeyId);
            }
            if (entry.Escrowed is not { } escrowed)
            {
                facts.Add(new EpochFacts(entry.Generation, entry.Epoch, entry.RecordedUs, "no escrow", sealers, keys, null, null, null, null));
                continue;
            }
            var roster = new List<RosterFacts>();
            foreach (var leaf in escrowed.Roster)
            {
                entry.Members.TryGetValue(leaf.Leaf, out var member);
                roster.Add(new RosterFacts(leaf.Leaf, member?.Credential.ParticipantId, member?.Credential.DisplayName));
            }
            facts.Add(new EpochFacts(entry.Generation, entry.Epoch, entry.RecordedUs, "escrowed", sealers, keys, SecurityCode.Render(escrowed.EpochAuthenticator),
                escrowed.LeafCount, escrowed.DataKey.Length > 0, roster));
        }
        return facts;
    }

    private static bool HasChatKey(EpochTimeline timeline)
    {
        foreach (var entry in timeline.Epochs)
        {
            if (entry.Escrowed?.DataKey.Length > 0) return true;
        }
        return false;
    }

    /// <summary><c>&lt;name&gt;-&lt;participant id&gt;.webm</c> in ASCII letters, digits, '-' and '_' only, unique in the export.</summary>
    internal static string FileName(string? displayName, string participantId, HashSet<string> taken)
    {
        string stem = $"{SafeName(displayName ?? "unknown")}-{SafeName(participantId)}";
        string name = stem + ".webm";
        for (int n = 2; !taken.Add(name); n++) name = $"{stem}-{n}.webm";
        return name;
    }

    /// <summary>
    /// Latin letters lose their accents (é → e: U+00C0–U+017F by their base letter, since the
    /// appliance runs without ICU and so without Unicode normalization); anything else outside
    /// [A-Za-z0-9_-] becomes one '-'.
    /// </summary>
    internal static string SafeName(string text)
    {
        var safe = new StringBuilder(MaxNameCharacters);
        foreach (char c in text)
        {
            if (safe.Length == MaxNameCharacters) break;
            char ascii = c is >= LatinFoldFirst and < (char)(LatinFoldFirst + 192) ? LatinFold[c - LatinFoldFirst] : c;
            if (char.IsAsciiLetterOrDigit(ascii) || ascii is '_' or '-') safe.Append(ascii);
            else if (safe.Length > 0 && safe[^1] != '-') safe.Append('-');
        }
        string result = safe.ToString().Trim('-');
        return result.Length > 0 ? result : "participant";
    }

    private static string SigningKeyPem(byte[] spki) => new string(PemEncoding.Write("PUBLIC KEY", spki)) + "\n";

    private static string Readme() => $"""
        A compliance export of a Conclave recording.

        {ExportDirectory.ManifestFileName} says what is here: the recording, who took part, each file's SHA-256, every MLS epoch and its escrow, and what did not open or verify.
        {ExportDirectory.SignatureFileName} is the compliance token's signature of {ExportDirectory.ManifestFileName} (ECDSA P-256, SHA-256). To check it:

            openssl dgst -sha256 -verify {ExportDirectory.SigningKeyFileName} -signature {ExportDirectory.SignatureFileName} {ExportDirectory.ManifestFileName}

        {ExportDirectory.SigningKeyFileName} is the key written into the manifest (signingKey); compare its id (signingKey.keyId) with the compliance token's signing key
        (conclavectl compliance status). Then check each file against the manifest's "files": sha256sum <file>.

        """;
}
