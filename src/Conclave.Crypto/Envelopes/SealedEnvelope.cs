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
    public const int ChunkBytes = StreamChunkCipher.ChunkBytes;
    public const byte Version = 1;

    private const int PrefixBytes = StreamChunkCipher.PrefixBytes;
    private const int DataKeyBytes = StreamChunkCipher.KeyBytes;
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

            StreamChunkCipher.Seal(plaintext, sealedOutput, dataKey, prefix, header, progress);
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
            StreamChunkCipher.Open(sealedInput, plaintextOutput, dataKey, prefix, header, objectName);
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
        if (StreamChunkCipher.ReadFull(input, header) != header.Length || !header.AsSpan(0, 4).SequenceEqual(Magic))
        {
            throw new SealedDataException($"{objectName}: not a sealed object (no CNSL header)");
        }
        if (header[4] != Version) throw new SealedDataException($"{objectName}: sealed format version {header[4]} is not supported (this build reads {Version})");
        int wrappedLength = BinaryPrimitives.ReadUInt16BigEndian(header.AsSpan(5 + PrefixBytes));
        if (wrappedLength is 0 or > MaxWrappedKeyBytes) throw new SealedDataException($"{objectName}: implausible wrapped key length {wrappedLength}");
        var wrapped = new byte[wrappedLength];
        if (StreamChunkCipher.ReadFull(input, wrapped) != wrappedLength) throw new SealedDataException($"{objectName}: truncated in its header");
        return (header, header[5..(5 + PrefixBytes)], wrapped);
    }
}
