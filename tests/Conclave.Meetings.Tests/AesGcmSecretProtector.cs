using System.Security.Cryptography;
using Conclave.Meetings.Ports;

namespace Conclave.Meetings.Tests;

/// <summary>
/// Really encrypts, like the daemon's token-backed protector: AES-256-GCM under a random key of
/// its own, sealed as nonce ‖ ciphertext ‖ tag. Anything altered fails to open.
/// </summary>
public sealed class AesGcmSecretProtector : ISecretProtector
{
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly byte[] _key = RandomNumberGenerator.GetBytes(32);

    public byte[] Protect(ReadOnlySpan<byte> secret)
    {
        var box = new byte[NonceBytes + secret.Length + TagBytes];
        var nonce = box.AsSpan(0, NonceBytes);
        RandomNumberGenerator.Fill(nonce);
        using var aes = new AesGcm(_key, TagBytes);
        aes.Encrypt(nonce, secret, box.AsSpan(NonceBytes, secret.Length), box.AsSpan(NonceBytes + secret.Length));
        return box;
    }

    public byte[] Unprotect(ReadOnlySpan<byte> sealedSecret, string objectName)
    {
        if (sealedSecret.Length < NonceBytes + TagBytes) throw new InvalidDataException($"The {objectName} is too short to be sealed.");
        var plain = new byte[sealedSecret.Length - NonceBytes - TagBytes];
        using var aes = new AesGcm(_key, TagBytes);
        try
        {
            aes.Decrypt(sealedSecret[..NonceBytes], sealedSecret[NonceBytes..^TagBytes], sealedSecret[^TagBytes..], plain);
        }
        catch (AuthenticationTagMismatchException e)
        {
            throw new InvalidDataException($"The {objectName} was tampered with.", e);
        }
        return plain;
    }
}
