using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Crypto.Hpke;

/// <summary>
/// RFC 9180 §4's labelled HKDF-SHA256 (the only KDF here, 0x0001, and DHKEM(P-256)'s own):
/// <code>
/// LabeledExtract(salt, label, ikm)     = Extract(salt, "HPKE-v1" ‖ suite_id ‖ label ‖ ikm)
/// LabeledExpand(prk, label, info, L)   = Expand(prk, I2OSP(L, 2) ‖ "HPKE-v1" ‖ suite_id ‖ label ‖ info, L)
/// </code>
/// The labelled input can hold a Diffie-Hellman output or a shared secret, so it is zeroed after use.
/// </summary>
internal static class HpkeLabels
{
    public const int HashBytes = 32;

    private static ReadOnlySpan<byte> Version => "HPKE-v1"u8;

    public static void Extract(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> salt, ReadOnlySpan<byte> label, ReadOnlySpan<byte> ikm, Span<byte> prk)
    {
        var labeledIkm = new byte[Version.Length + suiteId.Length + label.Length + ikm.Length];
        try
        {
            Version.CopyTo(labeledIkm);
            suiteId.CopyTo(labeledIkm.AsSpan(Version.Length));
            label.CopyTo(labeledIkm.AsSpan(Version.Length + suiteId.Length));
            ikm.CopyTo(labeledIkm.AsSpan(Version.Length + suiteId.Length + label.Length));
            HKDF.Extract(HashAlgorithmName.SHA256, labeledIkm, salt, prk[..HashBytes]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(labeledIkm);
        }
    }

    public static void Expand(ReadOnlySpan<byte> suiteId, ReadOnlySpan<byte> prk, ReadOnlySpan<byte> label, ReadOnlySpan<byte> info, Span<byte> output)
    {
        var labeledInfo = new byte[2 + Version.Length + suiteId.Length + label.Length + info.Length];
        BinaryPrimitives.WriteUInt16BigEndian(labeledInfo, checked((ushort)output.Length));
        Version.CopyTo(labeledInfo.AsSpan(2));
        suiteId.CopyTo(labeledInfo.AsSpan(2 + Version.Length));
        label.CopyTo(labeledInfo.AsSpan(2 + Version.Length + suiteId.Length));
        info.CopyTo(labeledInfo.AsSpan(2 + Version.Length + suiteId.Length + label.Length));
        HKDF.Expand(HashAlgorithmName.SHA256, prk, output, labeledInfo);
    }
}
