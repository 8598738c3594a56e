using System.Security.Cryptography;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;
using Conclave.Crypto.SFrame;

namespace Conclave.Recording.Export;

/// <summary>An Escrow record as the first pass found it: its bytes and the group generation in force when it arrived.</summary>
internal sealed record StoredEscrow(ulong ArrivalUs, int Generation, byte[] Blob);

/// <summary>
/// Opens the recording's escrow blobs with the escrow keys given (docs/recording.md, "Export: the
/// whole recording"): each blob addressed to one of them is opened, its epoch's first copy is kept
/// and every later copy must agree with it; then each escrowed roster is attributed through the
/// credentials the CA signed. What does not open or agree is a named problem, never an abort.
/// </summary>
internal sealed class EscrowOpening(byte[] recordingId, IReadOnlyList<DelegatedHpkeRecipient> keys, CredentialCache credentials, List<string> problems)
{
    private readonly Dictionary<string, DelegatedHpkeRecipient> _keysById = KeysById(keys);
    private readonly Dictionary<string, List<ulong>> _unknownKeyEpochs = [];

    /// <summary>How many blobs each given key (by displayed id) opened.</summary>
    public Dictionary<string, int> OpenedByKey { get; } = [];

    public void OpenAll(EpochTimeline timeline, IReadOnlyList<StoredEscrow> blobs, IProgress<ExportProgress>? progress, CancellationToken cancel)
    {
        for (int i = 0; i < blobs.Count; i++)
        {
            cancel.ThrowIfCancellationRequested();
            Open(timeline, blobs[i]);
            progress?.Report(new ExportProgress(RecordingExport.EscrowStage, i + 1, blobs.Count));
        }
        foreach (var (keyId, epochs) in _unknownKeyEpochs)
        {
            problems.Add($"{epochs.Count} escrow blob(s) (epochs {string.Join(", ", epochs.Distinct())}) are sealed to escrow key {keyId}, which this export was not given");
        }
        foreach (var entry in timeline.Epochs)
        {
            if (entry.Escrowed is not null) Attribute(timeline, entry);
        }
    }

    private void Open(EpochTimeline timeline, StoredEscrow stored)
    {
        if (!EscrowBlob.TryParse(stored.Blob, out var blob))
        {
            problems.Add($"the escrow record that arrived at {stored.ArrivalUs} µs is not a version-1 EscrowBlob");
            return;
        }
        string keyId = blob.EscrowKeyId.Length == EscrowKeyId.Bytes ? EscrowKeyId.Display(blob.EscrowKeyId) : "(malformed)";
        if (!blob.RecordingId.AsSpan().SequenceEqual(recordingId))
        {
            problems.Add($"escrow blob for epoch {blob.Epoch} from leaf {blob.SealerLeaf} (key {keyId}) belongs to recording {Convert.ToHexStringLower(blob.RecordingId)}, not this one");
            return;
        }
        if (!_keysById.TryGetValue(Convert.ToHexStringLower(blob.EscrowKeyId), out var recipient))
        {
            if (!_unknownKeyEpochs.TryGetValue(keyId, out var epochs)) _unknownKeyEpochs.Add(keyId, epochs = []);
            epochs.Add(blob.Epoch);
            return;
        }
        EscrowedEpoch content;
        try
        {
            content = EscrowOpener.Open(blob, recipient);
        }
        catch (EscrowOpenException e)
        {
            problems.Add($"escrow blob for epoch {blob.Epoch} from leaf {blob.SealerLeaf} (key {keyId}) does not open: {e.Message}");
            return;
        }
        OpenedByKey[keyId] = OpenedByKey.GetValueOrDefault(keyId) + 1;
        var entry = timeline.EpochOf(stored.Generation, blob.Epoch);
        var copy = new EscrowCopy(blob.SealerLeaf, keyId, stored.ArrivalUs);
        if (content.LeafCount == 0)
        {
            problems.Add($"escrow blob for {timeline.Name(entry)} from leaf {blob.SealerLeaf} (key {keyId}) says the group has no leaves");
            Forget(content);
            return;
        }
        if (entry.Escrowed is not { } first)
        {
            entry.Escrowed = content;
            entry.Layout = MlsKeyIdLayout.ForLeafCount(content.LeafCount);
            entry.Copies.Add(copy);
            return;
        }
        var differences = Differences(first, content);
        if (differences.Count > 0)
        {
            var used = entry.Copies[0];
            problems.Add($"escrow copies of {timeline.Name(entry)} disagree: leaf {used.SealerLeaf}'s (key {used.EscrowKeyId}) and leaf {copy.SealerLeaf}'s (key {copy.EscrowKeyId}) differ in {string.Join(", ", differences)}; leaf {used.SealerLeaf}'s is used");
        }
        else
        {
            entry.Copies.Add(copy);
        }
        Forget(content);
    }

    /// <summary>Each roster leaf whose credential the CA signed and which names the leaf's signature key.</summary>
    private void Attribute(EpochTimeline timeline, TimelineEpoch entry)
    {
        foreach (var member in entry.Escrowed!.Roster)
        {
            var facts = credentials.Read(member.Credential);
            string? trouble = facts is null ? "is not a ConclaveCredential"
                : !facts.CaSignatureValid ? "does not verify with the credential CA key"
                : !facts.SignatureKeySha256.AsSpan().SequenceEqual(SHA256.HashData(member.SignatureKey)) ? "is not for the leaf's signature key"
                : null;
            if (trouble is null)
            {
                entry.Members.Add(member.Leaf, new RosterMember(member.Leaf, facts!, member.SignatureKey));
            }
            else if (credentials.FirstTrouble(member.Credential))
            {
                problems.Add($"the credential of leaf {member.Leaf} in the roster of {timeline.Name(entry)} (and wherever else it appears) {trouble}: that leaf's media and chat are not attributed");
            }
        }
    }

    private static List<string> Differences(EscrowedEpoch a, EscrowedEpoch b)
    {
        var differences = new List<string>();
        if (!a.GroupId.AsSpan().SequenceEqual(b.GroupId)) differences.Add("group id");
        if (!a.SFrameEpochSecret.AsSpan().SequenceEqual(b.SFrameEpochSecret)) differences.Add("SFrame epoch secret");
        if (!a.DataKey.AsSpan().SequenceEqual(b.DataKey)) differences.Add("data key");
        if (!a.EpochAuthenticator.AsSpan().SequenceEqual(b.EpochAuthenticator)) differences.Add("epoch authenticator");
        if (a.LeafCount != b.LeafCount) differences.Add("leaf count");
        if (!SameRoster(a.Roster, b.Roster)) differences.Add("roster");
        return differences;
    }

    private static bool SameRoster(IReadOnlyList<RosterEntry> a, IReadOnlyList<RosterEntry> b)
    {
        if (a.Count != b.Count) return false;
        for (int i = 0; i < a.Count; i++)
        {
            if (a[i].Leaf != b[i].Leaf || !a[i].Credential.AsSpan().SequenceEqual(b[i].Credential) || !a[i].SignatureKey.AsSpan().SequenceEqual(b[i].SignatureKey)) return false;
        }
        return true;
    }

    /// <summary>A copy not kept: its secrets are wiped now rather than left to the collector.</summary>
    public static void Forget(EscrowedEpoch content)
    {
        CryptographicOperations.ZeroMemory(content.SFrameEpochSecret);
        CryptographicOperations.ZeroMemory(content.DataKey);
    }

    private static Dictionary<string, DelegatedHpkeRecipient> KeysById(IReadOnlyList<DelegatedHpkeRecipient> keys)
    {
        var byId = new Dictionary<string, DelegatedHpkeRecipient>(StringComparer.Ordinal);
        foreach (var key in keys) byId.TryAdd(Convert.ToHexStringLower(EscrowKeyId.Of(key.SubjectPublicKeyInfo)), key);
        return byId;
    }
}
