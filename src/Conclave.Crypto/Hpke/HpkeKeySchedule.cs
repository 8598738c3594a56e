using System.Security.Cryptography;

namespace Conclave.Crypto.Hpke;

/// <summary>
/// RFC 9180 §5.1 KeySchedule for mode_base (no PSK) and the one suite here:
/// DHKEM(P-256, HKDF-SHA256) 0x0010, HKDF-SHA256 0x0001, AES-128-GCM 0x0001.
/// <code>
/// key_schedule_context = mode ‖ LabeledExtract("", "psk_id_hash", "") ‖ LabeledExtract("", "info_hash", info)
/// secret     = LabeledExtract(shared_secret, "secret", "")
/// key        = LabeledExpand(secret, "key", key_schedule_context, Nk = 16)
/// base_nonce = LabeledExpand(secret, "base_nonce", key_schedule_context, Nn = 12)
/// </code>
/// The exporter secret is not derived: nothing here exports.
/// </summary>
internal static class HpkeKeySchedule
{
    public const int KeyBytes = 16;
    public const int NonceBytes = 12;
    public const int TagBytes = 16;
    public const int ContextBytes = 1 + 2 * HpkeLabels.HashBytes;

    private const byte ModeBase = 0x00;

    /// <summary>suite_id = "HPKE" ‖ I2OSP(kem_id, 2) ‖ I2OSP(kdf_id, 2) ‖ I2OSP(aead_id, 2) (§5.1).</summary>
    private static ReadOnlySpan<byte> SuiteId => [(byte)'H', (byte)'P', (byte)'K', (byte)'E', 0x00, 0x10, 0x00, 0x01, 0x00, 0x01];

    public static void Derive(ReadOnlySpan<byte> sharedSecret, ReadOnlySpan<byte> info, Span<byte> key, Span<byte> baseNonce)
    {
        Span<byte> context = stackalloc byte[ContextBytes];
        Span<byte> secret = stackalloc byte[HpkeLabels.HashBytes];
        try
        {
            KeyScheduleContext(info, context);
            Secret(sharedSecret, secret);
            HpkeLabels.Expand(SuiteId, secret, "key"u8, context, key[..KeyBytes]);
            HpkeLabels.Expand(SuiteId, secret, "base_nonce"u8, context, baseNonce[..NonceBytes]);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(secret);
        }
    }

    public static void KeyScheduleContext(ReadOnlySpan<byte> info, Span<byte> context)
    {
        context[0] = ModeBase;
        HpkeLabels.Extract(SuiteId, ReadOnlySpan<byte>.Empty, "psk_id_hash"u8, ReadOnlySpan<byte>.Empty, context.Slice(1, HpkeLabels.HashBytes));
        HpkeLabels.Extract(SuiteId, ReadOnlySpan<byte>.Empty, "info_hash"u8, info, context.Slice(1 + HpkeLabels.HashBytes, HpkeLabels.HashBytes));
    }

    public static void Secret(ReadOnlySpan<byte> sharedSecret, Span<byte> secret) =>
        HpkeLabels.Extract(SuiteId, sharedSecret, "secret"u8, ReadOnlySpan<byte>.Empty, secret);
}
