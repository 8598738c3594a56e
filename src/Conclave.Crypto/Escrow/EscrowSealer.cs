using System.Security.Cryptography;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// Seals an escrowed epoch to one escrow key as members' browsers do (client/src/e2ee/escrow.ts):
/// HPKE base mode to the key's point, info naming the recording and epoch, aad empty. The
/// appliance never seals; this serves tests, vectors and benchmarks.
/// </summary>
public static class EscrowSealer
{
    /// <param name="escrowSpki">The escrow key's DER SubjectPublicKeyInfo, as the recording extension lists it.</param>
    /// <param name="sealerLeaf">The sealing member's leaf index, which the blob names.</param>
    public static EscrowBlob Seal(byte[] escrowSpki, ReadOnlySpan<byte> recordingId, ulong epoch, uint sealerLeaf, EscrowedEpoch content)
    {
        if (!P256PublicKey.TryReadSubjectPublicKeyInfo(escrowSpki, out var point)) throw new ArgumentException("the escrow key is not a DER SubjectPublicKeyInfo of a P-256 point", nameof(escrowSpki));
        if (!recordingId.SequenceEqual(content.RecordingId) || epoch != content.Epoch) throw new ArgumentException("the escrowed epoch is of another recording or epoch than the blob names", nameof(content));
        var plaintext = content.Write();
        try
        {
            var sealedEpoch = Hpke.HpkeBaseMode.SealBase(point, EscrowInfo.For(recordingId, epoch), ReadOnlySpan<byte>.Empty, plaintext);
            return new EscrowBlob(recordingId.ToArray(), epoch, sealerLeaf, EscrowKeyId.Of(escrowSpki), sealedEpoch.Enc, sealedEpoch.Ciphertext);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }
}
