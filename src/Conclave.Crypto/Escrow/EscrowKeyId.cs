using System.Security.Cryptography;
using System.Text;

namespace Conclave.Crypto.Escrow;

/// <summary>
/// An escrow key's id: SHA-256 of its DER SubjectPublicKeyInfo (32 bytes), which every blob
/// names. People compare its first 16 hex digits, in groups of four: <c>3F2A 91C0 77D1 0B4E</c>.
/// </summary>
public static class EscrowKeyId
{
    public const int Bytes = 32;

    private const int DisplayedBytes = 8;

    public static byte[] Of(ReadOnlySpan<byte> subjectPublicKeyInfo) => SHA256.HashData(subjectPublicKeyInfo);

    /// <summary>The first 8 bytes of <paramref name="id"/> as upper-case hex, a space after every 2 bytes.</summary>
    public static string Display(ReadOnlySpan<byte> id)
    {
        if (id.Length != Bytes) throw new ArgumentException($"an escrow key id is {Bytes} bytes; {id.Length} given", nameof(id));
        var text = new StringBuilder(DisplayedBytes * 2 + DisplayedBytes / 2 - 1);
        for (int i = 0; i < DisplayedBytes; i += 2)
        {
            if (i > 0) text.Append(' ');
            text.Append(Convert.ToHexString(id.Slice(i, 2)));
        }
        return text.ToString();
    }

    /// <summary>The displayed id of the key whose SubjectPublicKeyInfo is <paramref name="subjectPublicKeyInfo"/>.</summary>
    public static string DisplayOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Display(Of(subjectPublicKeyInfo));
}
