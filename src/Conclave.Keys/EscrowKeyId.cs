using System.Security.Cryptography;

namespace Conclave.Keys;

/// <summary>
/// An escrow key's id: SHA-256 of its SubjectPublicKeyInfo (DER). People compare its first 16
/// hex digits, in 4 groups (<c>3F2A 91C0 77D1 0B4E</c>), between the console, the meeting and
/// <c>conclavectl compliance status</c>.
/// </summary>
public static class EscrowKeyId
{
    public const int Length = 32;

    public static byte[] Of(ReadOnlySpan<byte> subjectPublicKeyInfo) => SHA256.HashData(subjectPublicKeyInfo);

    /// <summary>The first 8 bytes of the id as 4 groups of 4 upper-case hex digits.</summary>
    public static string Display(ReadOnlySpan<byte> escrowKeyId)
    {
        if (escrowKeyId.Length < 8) throw new ArgumentException($"an escrow key id has {Length} bytes", nameof(escrowKeyId));
        string hex = Convert.ToHexString(escrowKeyId[..8]);
        return $"{hex[..4]} {hex[4..8]} {hex[8..12]} {hex[12..16]}";
    }

    /// <summary>The displayed id of the key whose SubjectPublicKeyInfo is <paramref name="subjectPublicKeyInfo"/>.</summary>
    public static string DisplayOf(ReadOnlySpan<byte> subjectPublicKeyInfo) => Display(Of(subjectPublicKeyInfo));
}
