using System.Diagnostics.CodeAnalysis;
using Conclave.Crypto.Hpke;
using Conclave.Crypto.Mls;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// One escrowed epoch sealed to one escrow key, as a member's browser sends it and the recorder
/// stores it (docs/recording.md), version 1:
/// <code>
/// struct {
///   uint8  version = 1;
///   opaque recording_id[16];
///   uint64 epoch;
///   uint32 sealer_leaf;
///   opaque escrow_key_id[32];   // SHA-256 of the recipient SPKI
///   opaque enc[65];             // HPKE encapsulated key
///   opaque ciphertext&lt;V&gt;;
/// } EscrowBlob;
/// </code>
/// Everything outside the ciphertext is what the sender says; <see cref="EscrowOpener"/> checks
/// the recording id and epoch against what was sealed (HPKE info and the content itself).
/// </summary>
public sealed record EscrowBlob(byte[] RecordingId, ulong Epoch, uint SealerLeaf, byte[] EscrowKeyId, byte[] Enc, byte[] Ciphertext)
{
    public const byte Version = 1;

    public byte[] Write()
    {
        var writer = new MlsVectorWriter();
        writer.WriteUInt8(Version);
        writer.WriteFixed(RecordingId, EscrowedEpoch.RecordingIdBytes, "recording_id");
        writer.WriteUInt64(Epoch);
        writer.WriteUInt32(SealerLeaf);
        writer.WriteFixed(EscrowKeyId, Escrow.EscrowKeyId.Bytes, "escrow_key_id");
        writer.WriteFixed(Enc, P256PublicKey.PointBytes, "enc");
        writer.WriteVector(Ciphertext);
        return writer.ToArray();
    }

    /// <summary>The blob in <paramref name="bytes"/> when they are exactly one well-formed version-1 EscrowBlob.</summary>
    public static bool TryParse(ReadOnlySpan<byte> bytes, [NotNullWhen(true)] out EscrowBlob? blob)
    {
        blob = null;
        var reader = new MlsVectorReader(bytes);
        if (!reader.TryReadUInt8(out byte version) || version != Version) return false;
        if (!reader.TryReadFixed(EscrowedEpoch.RecordingIdBytes, out var recordingId)) return false;
        if (!reader.TryReadUInt64(out ulong epoch)) return false;
        if (!reader.TryReadUInt32(out uint sealerLeaf)) return false;
        if (!reader.TryReadFixed(Escrow.EscrowKeyId.Bytes, out var escrowKeyId)) return false;
        if (!reader.TryReadFixed(P256PublicKey.PointBytes, out var enc)) return false;
        if (!reader.TryReadVector(out var ciphertext) || !reader.IsAtEnd) return false;
        blob = new EscrowBlob(recordingId.ToArray(), epoch, sealerLeaf, escrowKeyId.ToArray(), enc.ToArray(), ciphertext.ToArray());
        return true;
    }
}
