using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Hpke;

/// <summary>A recipient that counts how often its private key is used.</summary>
internal sealed class CountingRecipient(IHpkeRecipient inner) : IHpkeRecipient
{
    public int Derivations { get; private set; }

    public byte[] PublicKey => inner.PublicKey;

    public byte[] DeriveSharedSecret(ReadOnlySpan<byte> enc)
    {
        Derivations++;
        return inner.DeriveSharedSecret(enc);
    }
}
