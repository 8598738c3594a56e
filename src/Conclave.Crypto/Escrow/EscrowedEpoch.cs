using System.Diagnostics.CodeAnalysis;
using Conclave.Crypto.Mls;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// What a member's browser seals to an escrow key for one MLS epoch of a recording
/// (docs/recording.md), version 1:
/// <code>
/// struct {
///   uint8  version = 1;
///   opaque recording_id[16];
///   opaque group_id&lt;V&gt;;
///   uint64 epoch;
///   opaque sframe_epoch_secret[16];   // MLS-Exporter("SFrame 1.0 Base Key", "", 16)
///   opaque data_key&lt;V&gt;;               // MLS-Exporter("Conclave 1.0 Data Key", "", 16), or empty
///   opaque epoch_authenticator&lt;V&gt;;
///   uint32 leaf_count;                // leaves including blanks: the SFrame KID layout's S
///   opaque roster&lt;V&gt;;                 // RosterEntry per non-blank leaf
/// } EscrowedEpoch;
/// </code>
/// The roster is written in ascending leaf order, each leaf below <see cref="LeafCount"/> and
/// named once, so one epoch has one encoding; reading refuses anything else.
/// </summary>
/// <param name="DataKey">The chat key (16 bytes) when the recording's scope includes chat, else empty.</param>
public sealed record EscrowedEpoch(
    byte[] RecordingId, byte[] GroupId, ulong Epoch, byte[] SFrameEpochSecret, byte[] DataKey, byte[] EpochAuthenticator,
    uint LeafCount, IReadOnlyList<RosterEntry> Roster)
{
    public const byte Version = 1;
    public const int RecordingIdBytes = 16;
    public const int SecretBytes = 16;

    public byte[] Write()
    {
        if (DataKey.Length is not (0 or SecretBytes)) throw new ArgumentException($"data_key is empty or {SecretBytes} bytes, not {DataKey.Length}", nameof(DataKey));
        var roster = new MlsVectorWriter();
        long previousLeaf = -1;
        foreach (var entry in Roster.OrderBy(entry => entry.Leaf))
        {
            if (entry.Leaf == previousLeaf) throw new ArgumentException($"leaf {entry.Leaf} is in the roster twice", nameof(Roster));
            if (entry.Leaf >= LeafCount) throw new ArgumentException($"leaf {entry.Leaf} is not below the leaf count {LeafCount}", nameof(Roster));
            if (entry.SignatureKey.Length != RosterEntry.SignatureKeyBytes) throw new ArgumentException($"the signature key of leaf {entry.Leaf} is {entry.SignatureKey.Length} bytes, not {RosterEntry.SignatureKeyBytes}", nameof(Roster));
            previousLeaf = entry.Leaf;
            roster.WriteUInt32(entry.Leaf);
            roster.WriteVector(entry.Credential);
            roster.WriteVector(entry.SignatureKey);
        }
        var writer = new MlsVectorWriter();
        writer.WriteUInt8(Version);
        writer.WriteFixed(RecordingId, RecordingIdBytes, "recording_id");
        writer.WriteVector(GroupId);
        writer.WriteUInt64(Epoch);
        writer.WriteFixed(SFrameEpochSecret, SecretBytes, "sframe_epoch_secret");
        writer.WriteVector(DataKey);
        writer.WriteVector(EpochAuthenticator);
        writer.WriteUInt32(LeafCount);
        writer.WriteVector(roster.WrittenSpan);
        return writer.ToArray();
    }

    /// <summary>The epoch in <paramref name="bytes"/> when they are exactly one well-formed version-1 EscrowedEpoch.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out EscrowedEpoch? escrowedEpoch)
    {
        escrowedEpoch = null;
        var reader = new MlsVectorReader(bytes);
        if (!reader.TryReadUInt8(out byte version) || version != Version) return false;
        if (!reader.TryReadFixed(RecordingIdBytes, out var recordingId)) return false;
        if (!reader.TryReadVector(out var groupId)) return false;
        if (!reader.TryReadUInt64(out ulong epoch)) return false;
        if (!reader.TryReadFixed(SecretBytes, out var sframeEpochSecret)) return false;
        if (!reader.TryReadVector(out var dataKey) || dataKey.Length is not (0 or SecretBytes)) return false;
        if (!reader.TryReadVector(out var epochAuthenticator)) return false;
        if (!reader.TryReadUInt32(out uint leafCount)) return false;
        if (!reader.TryReadVector(out var rosterBytes) || !reader.IsAtEnd) return false;
        if (!TryParseRoster(rosterBytes, leafCount, out var roster)) return false;
        escrowedEpoch = new EscrowedEpoch(recordingId.ToArray(), groupId.ToArray(), epoch, sframeEpochSecret.ToArray(), dataKey.ToArray(),
            epochAuthenticator.ToArray(), leafCount, roster);
        return true;
    }

    private static bool TryParseRoster(ReadOnlySpan<byte> bytes, uint leafCount, [NotNullWhen(true)] out List<RosterEntry>? roster)
    {
        roster = [];
        var reader = new MlsVectorReader(bytes);
        long previousLeaf = -1;
        while (!reader.IsAtEnd)
        {
            if (!reader.TryReadUInt32(out uint leaf) || leaf <= previousLeaf || leaf >= leafCount
                || !reader.TryReadVector(out var credential)
                || !reader.TryReadVector(out var signatureKey) || signatureKey.Length != RosterEntry.SignatureKeyBytes)
            {
                roster = null;
                return false;
            }
            previousLeaf = leaf;
            roster.Add(new RosterEntry(leaf, credential.ToArray(), signatureKey.ToArray()));
        }
        return true;
    }
}
