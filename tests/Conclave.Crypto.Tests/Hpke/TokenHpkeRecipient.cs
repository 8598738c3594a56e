using Conclave.Crypto.Hpke;
using Conclave.Keys;
using Conclave.Keys.Roles;

namespace Conclave.Crypto.Tests.Hpke;

/// <summary>An HPKE recipient whose private key is a token's escrow key: the DH step is the token's CKM_ECDH1_DERIVE.</summary>
internal sealed class TokenHpkeRecipient(Token token, KeyRole role) : IHpkeRecipient
{
    public byte[] SubjectPublicKeyInfo { get; } = token.ExportPublicKey(role);

    public byte[] PublicKey => P256PublicKey.TryReadSubjectPublicKeyInfo(SubjectPublicKeyInfo, out var point)
        ? point
        : throw new InvalidOperationException("the token's key is not a P-256 SubjectPublicKeyInfo");

    public byte[] DeriveSharedSecret(ReadOnlySpan<byte> enc) => token.DeriveSharedSecret(role, enc);
}
