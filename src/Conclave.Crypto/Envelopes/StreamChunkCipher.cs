using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Crypto.Envelopes;

/// <summary>
/// The chunk loop of the STREAM construction (Hoang et al., "Online Authenticated-Encryption and
/// its Nonce-Reuse Misuse-Resistance", CRYPTO 2015) shared by <see cref="SealedEnvelope"/> and
/// <see cref="SharedFileCiphertext"/>: AES-256-GCM chunks of 64 KiB with 16-byte tags, every chunk
/// authenticating its format's header, and nonce = prefix (7) ‖ chunk index (u32 BE) ‖ 1 if last
/// else 0 — so a reordered, dropped or truncated chunk fails authentication. An empty plaintext is
/// one empty chunk.
/// </summary>
internal static class StreamChunkCipher
{
    public const int ChunkBytes = 64 * 1024;
    public const int TagBytes = 16;
    public const int PrefixBytes = 7;
    public const int KeyBytes = 32;

    public static void Seal(Stream plaintext, Stream sealedOutput, ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> header, IProgress<long>? progress)
    {
        using var gcm = new AesGcm(key, TagBytes);
        var current = new byte[ChunkBytes];
        var next = new byte[ChunkBytes];
        var ciphertext = new byte[ChunkBytes];
        Span<byte> tag = stackalloc byte[TagBytes];
        Span<byte> nonce = stackalloc byte[12];
        int currentLength = ReadFull(plaintext, current);
        long done = 0;
        for (uint index = 0; ; index++)
        {
            // Read one chunk ahead: the last chunk must be flagged as last.
            int nextLength = currentLength == ChunkBytes ? ReadFull(plaintext, next) : 0;
            bool last = nextLength == 0;
            ChunkNonce(nonce, prefix, index, last);
            gcm.Encrypt(nonce, current.AsSpan(0, currentLength), ciphertext.AsSpan(0, currentLength), tag, header);
            sealedOutput.Write(ciphertext, 0, currentLength);
            sealedOutput.Write(tag);
            done += currentLength;
            progress?.Report(done);
            if (last) break;
            (current, next) = (next, current);
            currentLength = nextLength;
            if (index == uint.MaxValue) throw new SealedDataException("an object of more than 256 TiB cannot be sealed");
        }
        CryptographicOperations.ZeroMemory(current);
        CryptographicOperations.ZeroMemory(next);
    }

    /// <summary>
    /// Nothing of a chunk is written before it authenticates; a failure names the object and the
    /// chunk, and the caller must discard what was written (the last chunk's flag is what proves completeness).
    /// </summary>
    public static void Open(Stream sealedInput, Stream plaintextOutput, ReadOnlySpan<byte> key, ReadOnlySpan<byte> prefix, ReadOnlySpan<byte> header, string objectName)
    {
        using var gcm = new AesGcm(key, TagBytes);
        var current = new byte[ChunkBytes + TagBytes];
        var next = new byte[ChunkBytes + TagBytes];
        var plaintext = new byte[ChunkBytes];
        Span<byte> nonce = stackalloc byte[12];
        int currentLength = ReadFull(sealedInput, current);
        for (uint index = 0; ; index++)
        {
            if (currentLength < TagBytes) throw new SealedDataException($"{objectName}: truncated at chunk {index}");
            int nextLength = currentLength == current.Length ? ReadFull(sealedInput, next) : 0;
            bool last = nextLength == 0;
            int contentLength = currentLength - TagBytes;
            ChunkNonce(nonce, prefix, index, last);
            try
            {
                gcm.Decrypt(nonce, current.AsSpan(0, contentLength), current.AsSpan(contentLength, TagBytes), plaintext.AsSpan(0, contentLength), header);
            }
            catch (CryptographicException e)
            {
                throw new SealedDataException($"{objectName}: chunk {index} fails authentication (altered, reordered or truncated)", e);
            }
            plaintextOutput.Write(plaintext, 0, contentLength);
            if (last) break;
            (current, next) = (next, current);
            currentLength = nextLength;
        }
        CryptographicOperations.ZeroMemory(plaintext);
    }

    public static int ReadFull(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer[total..]);
            if (read == 0) break;
            total += read;
        }
        return total;
    }

    /// <summary>STREAM nonce: 7-byte prefix ‖ 32-bit chunk index ‖ 1 if last else 0.</summary>
    private static void ChunkNonce(Span<byte> nonce, ReadOnlySpan<byte> prefix, uint index, bool last)
    {
        prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[PrefixBytes..], index);
        nonce[11] = last ? (byte)1 : (byte)0;
    }
}
