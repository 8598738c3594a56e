namespace Conclave.Crypto.Hpke;

/// <summary>The raw ECDH x-coordinate between a private key held elsewhere and <paramref name="peerUncompressedPoint"/>.</summary>
public delegate byte[] RawEcdh(ReadOnlySpan<byte> peerUncompressedPoint);

/// <summary>
/// An HPKE recipient whose private key never leaves its holder (a compliance token): the DH
/// step is delegated to it (CKM_ECDH1_DERIVE with CKD_NULL returns exactly DHKEM(P-256)'s DH
/// output, RFC 9180 §7.1.1); the rest of the key schedule runs here.
/// </summary>
public sealed class DelegatedHpkeRecipient : IHpkeRecipient
{
    private readonly RawEcdh _ecdh;

    /// <param name="subjectPublicKeyInfo">The recipient key's public half (DER SubjectPublicKeyInfo, P-256).</param>
    public DelegatedHpkeRecipient(byte[] subjectPublicKeyInfo, RawEcdh ecdh)
    {
        if (!P256PublicKey.TryReadSubjectPublicKeyInfo(subjectPublicKeyInfo, out var point))
        {
            throw new ArgumentException("not the SubjectPublicKeyInfo of a P-256 key", nameof(subjectPublicKeyInfo));
        }
        SubjectPublicKeyInfo = subjectPublicKeyInfo;
        PublicKey = point;
        _ecdh = ecdh;
    }

    public byte[] SubjectPublicKeyInfo { get; }

    public byte[] PublicKey { get; }

    public byte[] DeriveSharedSecret(ReadOnlySpan<byte> enc) => _ecdh(enc);
}
