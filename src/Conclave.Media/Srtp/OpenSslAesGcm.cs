using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;

namespace Conclave.Media.Srtp;

/// <summary>
/// AES-GCM with a 12-byte IV and a 16-byte tag through OpenSSL's EVP interface, keyed once:
/// each packet only sets its IV on a context that already holds the key schedule, as
/// libsrtp does. .NET's <see cref="AesGcm"/> reaches the same OpenSSL code but spends about
/// as long again around each call (argument checks, handle reference counting, a fresh
/// context set-up), which on a 1,100-byte packet is more than the cipher itself
/// (README, "Speed"). A forged packet is a false return, not an exception.
/// NOTE: not thread-safe; one instance belongs to one SRTP context on the media loop.
/// </summary>
internal sealed unsafe partial class OpenSslAesGcm : IDisposable
{
    public const int IvBytes = 12;
    public const int TagBytes = 16;

    private const string LibCrypto = "libcrypto.so.3";

    // EVP_CIPHER_CTX_ctrl commands for GCM (openssl/evp.h).
    private const int EvpCtrlAeadGetTag = 0x10;
    private const int EvpCtrlAeadSetTag = 0x11;

    private nint _encrypt;   // Allocated by this: an EVP_CIPHER_CTX keyed for encryption.
    private nint _decrypt;   // Allocated by this: one keyed for decryption.

    /// <param name="key">16 bytes (AES-128) or 32 (AES-256).</param>
    public OpenSslAesGcm(ReadOnlySpan<byte> key)
    {
        nint cipher = key.Length switch
        {
            16 => EVP_aes_128_gcm(),
            32 => EVP_aes_256_gcm(),
            _ => throw new ArgumentException("AES-GCM takes a 16- or 32-byte key.", nameof(key)),
        };
        try
        {
            _encrypt = NewContext(cipher, key, encrypt: true);
            _decrypt = NewContext(cipher, key, encrypt: false);
        }
        catch
        {
            Dispose();
            throw;
        }
    }

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="ciphertext"/> (same length, may be the same memory).</summary>
    public void Encrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> plaintext, Span<byte> ciphertext, Span<byte> tag, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(iv, plaintext.Length, ciphertext.Length, tag.Length);
        fixed (byte* ivPointer = iv)
        fixed (byte* input = plaintext)
        fixed (byte* output = ciphertext)
        fixed (byte* aad = associatedData)
        fixed (byte* tagPointer = tag)
        {
            nint context = LiveContext(_encrypt);
            int written;
            if (EVP_CipherInit_ex(context, 0, 0, null, ivPointer, -1) != 1) ThrowFailed();
            if (associatedData.Length > 0 && EVP_CipherUpdate(context, null, &written, aad, associatedData.Length) != 1) ThrowFailed();
            if (plaintext.Length > 0 && EVP_CipherUpdate(context, output, &written, input, plaintext.Length) != 1) ThrowFailed();
            if (EVP_CipherFinal_ex(context, output + plaintext.Length, &written) != 1) ThrowFailed();
            if (EVP_CIPHER_CTX_ctrl(context, EvpCtrlAeadGetTag, TagBytes, tagPointer) != 1) ThrowFailed();
        }
        GC.KeepAlive(this);
    }

    /// <summary>
    /// Opens <paramref name="ciphertext"/> into <paramref name="plaintext"/>; false when the tag
    /// does not verify, and then <paramref name="plaintext"/> holds nothing to use (RFC 5116 §2.2:
    /// no output of an unauthenticated packet reaches the caller's logic).
    /// </summary>
    public bool TryDecrypt(ReadOnlySpan<byte> iv, ReadOnlySpan<byte> ciphertext, ReadOnlySpan<byte> tag, Span<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        CheckLengths(iv, ciphertext.Length, plaintext.Length, tag.Length);
        bool authentic;
        fixed (byte* ivPointer = iv)
        fixed (byte* input = ciphertext)
        fixed (byte* output = plaintext)
        fixed (byte* aad = associatedData)
        fixed (byte* tagPointer = tag)
        {
            nint context = LiveContext(_decrypt);
            int written;
            if (EVP_CipherInit_ex(context, 0, 0, null, ivPointer, -1) != 1) ThrowFailed();
            if (EVP_CIPHER_CTX_ctrl(context, EvpCtrlAeadSetTag, TagBytes, tagPointer) != 1) ThrowFailed();
            if (associatedData.Length > 0 && EVP_CipherUpdate(context, null, &written, aad, associatedData.Length) != 1) ThrowFailed();
            if (ciphertext.Length > 0 && EVP_CipherUpdate(context, output, &written, input, ciphertext.Length) != 1) ThrowFailed();
            // The tag is checked here; a mismatch is the one expected failure (RFC 7714 §10.2).
            authentic = EVP_CipherFinal_ex(context, output + ciphertext.Length, &written) == 1;
        }
        GC.KeepAlive(this);
        if (!authentic) plaintext.Clear();
        return authentic;
    }

    public void Dispose()
    {
        FreeContexts();
        GC.SuppressFinalize(this);
    }

    // The contexts hold the AES key schedule; OpenSSL cleanses it when they are freed.
    ~OpenSslAesGcm() => FreeContexts();

    private void FreeContexts()
    {
        EVP_CIPHER_CTX_free(_encrypt);
        EVP_CIPHER_CTX_free(_decrypt);
        _encrypt = _decrypt = 0;
    }

    private static nint NewContext(nint cipher, ReadOnlySpan<byte> key, bool encrypt)
    {
        nint context = EVP_CIPHER_CTX_new();
        if (context == 0) ThrowFailed();
        fixed (byte* keyPointer = key)
        {
            // The IV length defaults to 12 bytes for GCM (NIST SP 800-38D §5.2.1.1's recommended one).
            if (EVP_CipherInit_ex(context, cipher, 0, keyPointer, null, encrypt ? 1 : 0) != 1)
            {
                EVP_CIPHER_CTX_free(context);
                ThrowFailed();
            }
        }
        return context;
    }

    private nint LiveContext(nint context)
    {
        ObjectDisposedException.ThrowIf(context == 0, this);
        return context;
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void CheckLengths(ReadOnlySpan<byte> iv, int inputBytes, int outputBytes, int tagBytes)
    {
        if (iv.Length != IvBytes || inputBytes != outputBytes || tagBytes != TagBytes) ThrowBadLengths();
    }

    private static void ThrowBadLengths() =>
        throw new ArgumentException($"AES-GCM takes a {IvBytes}-byte IV, a {TagBytes}-byte tag and an output as long as its input.");

    private static void ThrowFailed() => throw new CryptographicException("OpenSSL's AES-GCM failed.");

    [LibraryImport(LibCrypto)]
    private static partial nint EVP_aes_128_gcm();

    [LibraryImport(LibCrypto)]
    private static partial nint EVP_aes_256_gcm();

    [LibraryImport(LibCrypto)]
    private static partial nint EVP_CIPHER_CTX_new();

    [LibraryImport(LibCrypto)]
    private static partial void EVP_CIPHER_CTX_free(nint context);

    // The per-packet calls are short, never block and never call back into .NET, so they skip
    // the GC transition (about 20 ns each; five of them per packet).
    [LibraryImport(LibCrypto), SuppressGCTransition]
    private static partial int EVP_CipherInit_ex(nint context, nint cipher, nint engine, byte* key, byte* iv, int encrypt);

    [LibraryImport(LibCrypto), SuppressGCTransition]
    private static partial int EVP_CipherUpdate(nint context, byte* output, int* outputLength, byte* input, int inputLength);

    [LibraryImport(LibCrypto), SuppressGCTransition]
    private static partial int EVP_CipherFinal_ex(nint context, byte* output, int* outputLength);

    [LibraryImport(LibCrypto), SuppressGCTransition]
    private static partial int EVP_CIPHER_CTX_ctrl(nint context, int command, int argument, void* pointer);
}
