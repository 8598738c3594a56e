using System.Security.Cryptography;

namespace Conclave.Crypto.Envelopes;

/// <summary>
/// A file shared in a meeting as the browsers seal it (docs/content-sharing.md, "The file format"):
/// the STREAM chunks of <see cref="SealedEnvelope"/> under the share's 32-byte file key, which
/// travels end to end encrypted in the share offer, so the header holds no wrapped key.
/// <code>
/// header (12 bytes): "CNSF" ‖ version (1) ‖ nonce prefix (7)        every chunk's AAD = the header
/// then:              chunk₀ ‖ tag₀ ‖ … ‖ chunkₙ ‖ tagₙ              (every chunk 64 KiB but the last)
/// </code>
/// The appliance stores such a file as opaque bytes; this opener is for tests and tools that hold a key.
/// </summary>
public static class SharedFileCiphertext
{
    public const byte Version = 1;
    public const int FileKeyBytes = StreamChunkCipher.KeyBytes;
    private const int HeaderBytes = 12;
    private const string ObjectName = "shared file";
    private static ReadOnlySpan<byte> Magic => "CNSF"u8;

    /// <summary>
    /// Opens a shared file into <paramref name="plaintextOutput"/>; throws <see cref="SealedDataException"/>
    /// on any alteration, truncation, reordering or another key, after which what was written must be discarded.
    /// </summary>
    public static void Open(Stream ciphertext, ReadOnlySpan<byte> fileKey, Stream plaintextOutput)
    {
        CheckKey(fileKey);
        var header = new byte[HeaderBytes];
        if (StreamChunkCipher.ReadFull(ciphertext, header) != HeaderBytes || !header.AsSpan(0, Magic.Length).SequenceEqual(Magic))
        {
            throw new SealedDataException($"{ObjectName}: not a shared file (no CNSF header)");
        }
        if (header[4] != Version) throw new SealedDataException($"{ObjectName}: format version {header[4]} is not supported (this build reads {Version})");
        StreamChunkCipher.Open(ciphertext, plaintextOutput, fileKey, header.AsSpan(5), header, ObjectName);
    }

    /// <summary>Seals as a browser does, with a fresh random nonce prefix.</summary>
    public static void Seal(Stream plaintext, ReadOnlySpan<byte> fileKey, Stream ciphertextOutput) =>
        Seal(plaintext, fileKey, RandomNumberGenerator.GetBytes(StreamChunkCipher.PrefixBytes), ciphertextOutput);

    /// <summary>
    /// Seals with the nonce prefix given, which must never repeat under one key (a share's files share
    /// their key); only the cross-implementation vectors fix it.
    /// </summary>
    internal static void Seal(Stream plaintext, ReadOnlySpan<byte> fileKey, ReadOnlySpan<byte> noncePrefix, Stream ciphertextOutput)
    {
        CheckKey(fileKey);
        if (noncePrefix.Length != StreamChunkCipher.PrefixBytes) throw new ArgumentException($"a nonce prefix is {StreamChunkCipher.PrefixBytes} bytes", nameof(noncePrefix));
        var header = new byte[HeaderBytes];
        Magic.CopyTo(header);
        header[4] = Version;
        noncePrefix.CopyTo(header.AsSpan(5));
        ciphertextOutput.Write(header);
        StreamChunkCipher.Seal(plaintext, ciphertextOutput, fileKey, noncePrefix, header, progress: null);
    }

    private static void CheckKey(ReadOnlySpan<byte> fileKey)
    {
        if (fileKey.Length != FileKeyBytes) throw new ArgumentException($"a file key is {FileKeyBytes} bytes", nameof(fileKey));
    }
}
