using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Conclave.Crypto.Envelopes;

/// <summary>
/// Envelope encryption of anything stored at rest (docs/sealed-storage.md): a fresh
/// AES-256 data key per object, wrapped by the token's KEK, and the content in
/// AES-256-GCM chunks of 64 KiB. Chunk nonces follow the STREAM construction (Hoang
/// et al., "Online Authenticated-Encryption and its Nonce-Reuse Misuse-Resistance",
/// CRYPTO 2015): prefix ‖ chunk index ‖ last-chunk flag, so a reordered, dropped or
/// truncated chunk fails authentication. Deleting the wrapped key crypto-shreds it.
/// <code>
/// header: "CNSL" ‖ version (1) ‖ nonce prefix (7) ‖ wrapped key length (2) ‖ wrapped key
/// then:   chunk₀ ‖ tag₀ ‖ chunk₁ ‖ tag₁ ‖ … ‖ chunkₙ ‖ tagₙ     (every chunk 64 KiB but the last)
/// </code>
/// </summary>
public static class SealedEnvelope
{
    public const int ChunkBytes = 64 * 1024;
    public const byte Version = 1;

    private const int TagBytes = 16;
    private const int PrefixBytes = 7;
    private const int DataKeyBytes = 32;
    private const int MaxWrappedKeyBytes = 512;
    private static ReadOnlySpan<byte> Magic => "CNSL"u8;

    /// <summary>Seals <paramref name="plaintext"/> into <paramref name="sealedOutput"/>; reports bytes done.</summary>
    public static void Seal(Stream plaintext, Stream sealedOutput, IDataKeyWrapper wrapper, IProgress<long>? progress = null)
    {
        var dataKey = RandomNumberGenerator.GetBytes(DataKeyBytes);
        try
        {
            var prefix = RandomNumberGenerator.GetBytes(PrefixBytes);
            var wrapped = wrapper.Wrap(dataKey);
            if (wrapped.Length > MaxWrappedKeyBytes) throw new SealedDataException($"the wrapped key is {wrapped.Length} bytes; at most {MaxWrappedKeyBytes} fit the format");
            var header = new byte[Magic.Length + 1 + PrefixBytes + 2];
            Magic.CopyTo(header);
            header[4] = Version;
            prefix.CopyTo(header, 5);
            BinaryPrimitives.WriteUInt16BigEndian(header.AsSpan(5 + PrefixBytes), (ushort)wrapped.Length);
            sealedOutput.Write(header);
            sealedOutput.Write(wrapped);

            using var gcm = new AesGcm(dataKey, TagBytes);
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
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Opens a sealed object into <paramref name="plaintextOutput"/>. Nothing of a chunk is
    /// written before it authenticates; a failure names the object and the chunk, and the
    /// caller must discard what was written (the last chunk's flag is what proves completeness).
    /// </summary>
    public static void Open(Stream sealedInput, Stream plaintextOutput, IDataKeyWrapper wrapper, string objectName)
    {
        var (header, prefix, wrapped) = ReadHeader(sealedInput, objectName);
        byte[] dataKey;
        try
        {
            dataKey = wrapper.Unwrap(wrapped);
        }
        catch (Exception e) when (e is not SealedDataException)
        {
            throw new SealedDataException($"{objectName}: its data key does not unwrap ({e.Message})", e);
        }
        try
        {
            using var gcm = new AesGcm(dataKey, TagBytes);
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
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Re-wraps an object's data key under a new KEK (key rotation) without touching its
    /// chunks; the header is rewritten only when the wrapped key keeps its length, so the
    /// object never moves on disk.
    /// </summary>
    public static void Rewrap(Stream sealedObject, IDataKeyWrapper from, IDataKeyWrapper to, string objectName)
    {
        long start = sealedObject.Position;
        var (_, _, wrapped) = ReadHeader(sealedObject, objectName);
        byte[] dataKey;
        try
        {
            dataKey = from.Unwrap(wrapped);
        }
        catch (Exception e) when (e is not SealedDataException)
        {
            throw new SealedDataException($"{objectName}: its data key does not unwrap with the old key ({e.Message})", e);
        }
        try
        {
            var rewrapped = to.Wrap(dataKey);
            if (rewrapped.Length != wrapped.Length) throw new SealedDataException($"{objectName}: the new wrapped key has another length; rewrite the object instead");
            sealedObject.Position = start + Magic.Length + 1 + PrefixBytes + 2;
            sealedObject.Write(rewrapped);
            sealedObject.Flush();
        }
        finally
        {
            CryptographicOperations.ZeroMemory(dataKey);
        }
    }

    /// <summary>
    /// Crypto-shreds the object: overwrites its wrapped data key with zeros in place and flushes,
    /// so no KEK opens it again, even from a copy of the disk made later. The caller deletes the
    /// file after (a delete alone leaves the bytes on the medium).
    /// </summary>
    public static void DestroyKey(Stream sealedObject, string objectName)
    {
        long start = sealedObject.Position;
        var (_, _, wrapped) = ReadHeader(sealedObject, objectName);
        sealedObject.Position = start + Magic.Length + 1 + PrefixBytes + 2;
        sealedObject.Write(new byte[wrapped.Length]);
        sealedObject.Flush();
    }

    /// <summary>Whether <paramref name="wrapper"/> unwraps this object's data key (a rotation in progress asks this).</summary>
    public static bool IsWrappedBy(Stream sealedObject, IDataKeyWrapper wrapper, string objectName)
    {
        long start = sealedObject.Position;
        var (_, _, wrapped) = ReadHeader(sealedObject, objectName);
        sealedObject.Position = start;
        try
        {
            CryptographicOperations.ZeroMemory(wrapper.Unwrap(wrapped));
            return true;
        }
        catch (Exception e) when (e is not SealedDataException)
        {
            return false;
        }
    }

    public static byte[] Seal(ReadOnlySpan<byte> plaintext, IDataKeyWrapper wrapper)
    {
        using var input = new MemoryStream(plaintext.ToArray(), writable: false);
        using var output = new MemoryStream();
        Seal(input, output, wrapper);
        return output.ToArray();
    }

    public static byte[] Open(ReadOnlySpan<byte> sealedBytes, IDataKeyWrapper wrapper, string objectName)
    {
        using var input = new MemoryStream(sealedBytes.ToArray(), writable: false);
        using var output = new MemoryStream();
        Open(input, output, wrapper, objectName);
        return output.ToArray();
    }

    private static (byte[] Header, byte[] Prefix, byte[] Wrapped) ReadHeader(Stream input, string objectName)
    {
        var header = new byte[Magic.Length + 1 + PrefixBytes + 2];
        if (ReadFull(input, header) != header.Length || !header.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new SealedDataException($"{objectName}: not a sealed object (no CNSL header)");
        }
        if (header[4] != Version) throw new SealedDataException($"{objectName}: sealed format version {header[4]} is not supported (this build reads {Version})");
        int wrappedLength = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(5 + PrefixBytes));
        if (wrappedLength is 0 or > MaxWrappedKeyBytes) throw new SealedDataException($"{objectName}: implausible wrapped key length {wrappedLength}");
        var wrapped = new byte[wrappedLength];
        if (ReadFull(input, wrapped) != wrappedLength) throw new SealedDataException($"{objectName}: truncated in its header");
        return (header, header[5..(5 + PrefixBytes)], wrapped);
    }

    /// <summary>STREAM nonce: 7-byte prefix ‖ 32-bit chunk index ‖ 1 if last else 0.</summary>
    private static void ChunkNonce(Span<byte> nonce, ReadOnlySpan<byte> prefix, uint index, bool last)
    {
        prefix.CopyTo(nonce);
        BinaryPrimitives.WriteUInt32BigEndian(nonce[PrefixBytes..], index);
        nonce[11] = last ? (byte)1 : (byte)0;
    }

    private static int ReadFull(Stream stream, byte[] buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int read = stream.Read(buffer, total, buffer.Length - total);
            if (read == 0) break;
            total += read;
        }
        return total;
    }
}
