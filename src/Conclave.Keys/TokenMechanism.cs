using Net.Pkcs11Interop.Common;

namespace Conclave.Keys;

/// <summary>A PKCS#11 mechanism Conclave's key roles need; its name is PKCS#11's (CKM_…).</summary>
public sealed class TokenMechanism
{
    private TokenMechanism(CKM value) => Value = value;

    /// <summary>P-256 key pairs for the signing and agreement roles.</summary>
    public static TokenMechanism EcKeyPairGeneration { get; } = new(CKM.CKM_EC_KEY_PAIR_GEN);

    public static TokenMechanism Ecdsa { get; } = new(CKM.CKM_ECDSA);

    public static TokenMechanism Ecdh { get; } = new(CKM.CKM_ECDH1_DERIVE);

    /// <summary>The storage KEK.</summary>
    public static TokenMechanism AesKeyGeneration { get; } = new(CKM.CKM_AES_KEY_GEN);

    /// <summary>AES key wrap with padding (RFC 5649).</summary>
    public static TokenMechanism AesKeyWrapWithPadding { get; } = new(CKM.CKM_AES_KEY_WRAP_PAD);

    internal CKM Value { get; }

    public override string ToString() => Value.ToString();
}
