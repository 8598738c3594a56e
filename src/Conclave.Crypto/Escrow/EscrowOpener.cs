using System.Security.Cryptography;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// Opens an escrow blob with the escrow key's holder (a compliance token at export): checks the
/// blob is addressed to this key, opens the HPKE ciphertext with the info the sealer had to use,
/// and checks the escrowed epoch inside names the same recording and epoch as the blob.
/// </summary>
public static class EscrowOpener
{
    public static EscrowedEpoch Open(EscrowBlob blob, IHpkeRecipient recipient)
    {
        var keyId = EscrowKeyId.Of(P256PublicKey.ToSubjectPublicKeyInfo(recipient.PublicKey));
        if (!blob.EscrowKeyId.AsSpan().SequenceEqual(keyId))
        {
            throw Failure(blob, $"is sealed to escrow key {Display(blob.EscrowKeyId)}, not to {EscrowKeyId.Display(keyId)}");
        }
        byte[] plaintext;
        try
        {
            plaintext = Hpke.HpkeBaseMode.OpenBase(recipient, blob.Enc, EscrowInfo.For(blob.RecordingId, blob.Epoch), ReadOnlySpan<byte>.Empty, blob.Ciphertext);
        }
        catch (HpkeOpenException e)
        {
            throw Failure(blob, "does not open: " + e.Message, e);
        }
        try
        {
            if (!EscrowedEpoch.TryParse(plaintext, out var content)) throw Failure(blob, "opens to something that is not a version-1 EscrowedEpoch");
            if (!content.RecordingId.AsSpan().SequenceEqual(blob.RecordingId) || content.Epoch != blob.Epoch)
            {
                throw Failure(blob, $"holds epoch {content.Epoch} of recording {Convert.ToHexStringLower(content.RecordingId)}");
            }
            return content;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plaintext);
        }
    }

    private static EscrowOpenException Failure(EscrowBlob blob, string what, Exception? inner = null) =>
        new($"the escrow blob of recording {Convert.ToHexStringLower(blob.RecordingId)} epoch {blob.Epoch} from leaf {blob.SealerLeaf} {what}", inner);

    private static string Display(byte[] id) => id.Length == EscrowKeyId.Bytes ? EscrowKeyId.Display(id) : $"({id.Length}-byte id)";
}
