using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Crypto.SFrame;

/// <summary>
/// RFC 9605 §4.4.2 for cipher suite AES_128_GCM_SHA256_128 (0x0004):
/// <code>
/// sframe_secret = HKDF-Extract("", base_key)
/// sframe_key    = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret key "  ‖ KID(8) ‖ suite(2), Nk = 16)
/// sframe_salt   = HKDF-Expand(sframe_secret, "SFrame 1.0 Secret salt " ‖ KID(8) ‖ suite(2), Nn = 12)
/// </code>
/// The KID in the labels is the full 8-byte big-endian value, not the header's short form.
/// </summary>
internal static class SFrameKeySchedule
{
    public const int KeyBytes = 16;
    public const int SaltBytes = 12;
    public const int SecretBytes = 32;
    public const int KeyLabelBytes = 22 + 8 + 2;
    public const int SaltLabelBytes = 23 + 8 + 2;

    private static ReadOnlySpan<byte> KeyLabelPrefix => "SFrame 1.0 Secret key "u8;
    private static ReadOnlySpan<byte> SaltLabelPrefix => "SFrame 1.0 Secret salt "u8;

    public static void DeriveKeyAndSalt(ReadOnlySpan<byte> baseKey, ulong kid, Span<byte> sframeKey, Span<byte> sframeSalt)
    {
        Span<byte> secret = stackalloc byte[SecretBytes];
        Span<byte> label = stackalloc byte[SaltLabelBytes];
        try
        {
            ExtractSecret(baseKey, secret);
            WriteKeyLabel(kid, label);
            HKDF.Expand(HashAlgorithmName.SHA256, secret, sframeKey[..KeyBytes], label[..KeyLabelBytes]);
            WriteSaltLabel(kid, label);
            HKDF.Expand(HashAlgorithmName.SHA256, secret, sframeSalt[..SaltBytes], label);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static void ExtractSecret(ReadOnlySpan<byte> baseKey, Span<byte> sframeSecret) =>
        HKDF.Extract(HashAlgorithmName.SHA256, baseKey, ReadOnlySpan<byte>.Empty, sframeSecret[..SecretBytes]);

    public static void WriteKeyLabel(ulong kid, Span<byte> label) => WriteLabel(KeyLabelPrefix, kid, label);

    public static void WriteSaltLabel(ulong kid, Span<byte> label) => WriteLabel(SaltLabelPrefix, kid, label);

    private static void WriteLabel(ReadOnlySpan<byte> prefix, ulong kid, Span<byte> label)
    {
        prefix.CopyTo(label);
        BinaryPrimitives.WriteUInt64BigEndian(label[prefix.Length..], kid);
        BinaryPrimitives.WriteUInt16BigEndian(label[(prefix.Length + 8)..], SFrameCipherSuite.Aes128GcmSha256);
    }
}
