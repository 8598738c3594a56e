using System.Buffers;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Crypto.SFrame;

/// <summary>
/// One KID's key and salt (RFC 9605 §4.4.2) with its AES-128-GCM instance, made once per key
/// because creating one costs more than sealing a frame (docs/architecture.md). Seals and opens
/// SFrame ciphertexts <c>header ‖ ciphertext ‖ tag</c> (§4.4.3, §4.4.4) into caller buffers
/// without allocating. Use from one thread at a time, like the <see cref="AesGcm"/> it holds.
/// </summary>
public sealed class SFrameKey : IDisposable
{
    public const int TagBytes = 16;

    private const int NonceBytes = SFrameKeySchedule.SaltBytes;
    /// <summary>AAD up to this size (header and metadata, e.g. a VP8 prefix) is built on the stack.</summary>
    private const int StackAadBytes = 128;

    private readonly AesGcm _aead;
    private readonly byte[] _salt;

    private SFrameKey(ulong kid, AesGcm aead, byte[] salt)
    {
        Kid = kid;
        _aead = aead;
        _salt = salt;
    }

    public ulong Kid { get; }

    /// <summary>Derives the key and salt of <paramref name="kid"/> from <paramref name="baseKey"/> (§4.4.2).</summary>
    public static SFrameKey FromBaseKey(ReadOnlySpan<byte> baseKey, ulong kid)
    {
        Span<byte> key = stackalloc byte[SFrameKeySchedule.KeyBytes];
        var salt = new byte[SFrameKeySchedule.SaltBytes];
        try
        {
            SFrameKeySchedule.DeriveKeyAndSalt(baseKey, kid, key, salt);
            return new SFrameKey(kid, new AesGcm(key, TagBytes), salt);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
    }

    /// <summary>The length <see cref="Seal"/> writes for this CTR and plaintext length.</summary>
    public int SealedLength(ulong ctr, int plaintextLength) => new SFrameHeader(Kid, ctr).ByteLength + plaintextLength + TagBytes;

    /// <summary>
    /// Writes <c>header ‖ ciphertext ‖ tag</c> into <paramref name="destination"/> (which must not
    /// overlap <paramref name="plaintext"/>); <paramref name="metadata"/> is authenticated, not
    /// written. Returns the length written. The caller never repeats a CTR under one key (§4.3);
    /// the last CTR, 2^64-1, is refused so a counter cannot wrap into a used one.
    /// </summary>
    public int Seal(ulong ctr, ReadOnlySpan<byte> metadata, ReadOnlySpan<byte> plaintext, Span<byte> destination)
    {
        if (ctr == ulong.MaxValue) throw new InvalidOperationException("the SFrame counter of this key is used up; a new key is needed");
        var header = new SFrameHeader(Kid, ctr);
        int headerLength = header.ByteLength;
        int length = headerLength + plaintext.Length + TagBytes;
        if (destination.Length < length) throw new ArgumentException($"an SFrame ciphertext of {length} bytes does not fit in {destination.Length}", nameof(destination));
        header.Write(destination);
        Span<byte> nonce = stackalloc byte[NonceBytes];
        FormNonce(ctr, nonce);
        byte[]? rented = null;
        int aadLength = headerLength + metadata.Length;
        Span<byte> aad = aadLength <= StackAadBytes ? stackalloc byte[StackAadBytes] : (rented = ArrayPool<byte>.Shared.Rent(aadLength));
        try
        {
            aad = FormAad(destination[..headerLength], metadata, aad);
            _aead.Encrypt(nonce, plaintext, destination.Slice(headerLength, plaintext.Length), destination.Slice(headerLength + plaintext.Length, TagBytes), aad);
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        return length;
    }

    /// <summary>
    /// Opens an SFrame ciphertext into <paramref name="plaintext"/>, which needs room for the
    /// input less its header and tag (the input's length always suffices). False when it is not a well-formed SFrame ciphertext, its KID is not this key's, or it
    /// does not authenticate with <paramref name="metadata"/> (§4.4.4: then it is discarded).
    /// </summary>
    public bool TryOpen(ReadOnlySpan<byte> sframe, ReadOnlySpan<byte> metadata, Span<byte> plaintext, out int plaintextLength)
    {
        plaintextLength = 0;
        if (!SFrameHeader.TryRead(sframe, out var header) || header.Kid != Kid) return false;
        int headerLength = header.ByteLength;
        int ciphertextLength = sframe.Length - headerLength - TagBytes;
        if (ciphertextLength < 0) return false;
        if (plaintext.Length < ciphertextLength) throw new ArgumentException($"a plaintext of {ciphertextLength} bytes does not fit in {plaintext.Length}", nameof(plaintext));
        Span<byte> nonce = stackalloc byte[NonceBytes];
        FormNonce(header.Ctr, nonce);
        byte[]? rented = null;
        int aadLength = headerLength + metadata.Length;
        Span<byte> aad = aadLength <= StackAadBytes ? stackalloc byte[StackAadBytes] : (rented = ArrayPool<byte>.Shared.Rent(aadLength));
        try
        {
            aad = FormAad(sframe[..headerLength], metadata, aad);
            _aead.Decrypt(nonce, sframe.Slice(headerLength, ciphertextLength), sframe[^TagBytes..], plaintext[..ciphertextLength], aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            if (rented is not null) ArrayPool<byte>.Shared.Return(rented);
        }
        plaintextLength = ciphertextLength;
        return true;
    }

    /// <summary>The plaintext of an SFrame ciphertext, or null when <see cref="TryOpen"/> would refuse it.</summary>
    public byte[]? Open(ReadOnlySpan<byte> sframe, ReadOnlySpan<byte> metadata)
    {
        var plaintext = new byte[Math.Max(0, sframe.Length - 1 - TagBytes)];
        return TryOpen(sframe, metadata, plaintext, out int length) ? plaintext[..length] : null;
    }

    public void Dispose()
    {
        _aead.Dispose();
        CryptographicOperations.ZeroMemory(_salt);
    }

    /// <summary>§4.4.3: the salt XOR the CTR as a big-endian integer of the nonce's length.</summary>
    private void FormNonce(ulong ctr, Span<byte> nonce)
    {
        _salt.CopyTo(nonce);
        ulong low = BinaryPrimitives.ReadUInt64BigEndian(nonce[(NonceBytes - 8)..]) ^ ctr;
        BinaryPrimitives.WriteUInt64BigEndian(nonce[(NonceBytes - 8)..], low);
    }

    /// <summary>§4.4.3: aad = header ‖ metadata.</summary>
    private static Span<byte> FormAad(ReadOnlySpan<byte> header, ReadOnlySpan<byte> metadata, Span<byte> buffer)
    {
        header.CopyTo(buffer);
        metadata.CopyTo(buffer[header.Length..]);
        return buffer[..(header.Length + metadata.Length)];
    }
}
