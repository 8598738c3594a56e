using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;

namespace Conclave.Crypto.Tests.SharedFiles;

public sealed class SharedFileCiphertextTests
{
    private static readonly byte[] Key = RandomNumberGenerator.GetBytes(SharedFileCiphertext.FileKeyBytes);

    private static byte[] Seal(byte[] plaintext, byte[]? key = null)
    {
        using var input = new MemoryStream(plaintext);
        using var output = new MemoryStream();
        SharedFileCiphertext.Seal(input, key ?? Key, output);
        return output.ToArray();
    }

    private static byte[] Open(byte[] ciphertext, byte[]? key = null)
    {
        using var input = new MemoryStream(ciphertext);
        using var output = new MemoryStream();
        SharedFileCiphertext.Open(input, key ?? Key, output);
        return output.ToArray();
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SealedEnvelope.ChunkBytes)]
    [InlineData(2 * SealedEnvelope.ChunkBytes + 5)]
    public void Files_round_trip_with_a_12_byte_header_and_a_16_byte_tag_per_chunk(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var ciphertext = Seal(plaintext);
        int chunks = Math.Max(1, (length + SealedEnvelope.ChunkBytes - 1) / SealedEnvelope.ChunkBytes);
        Assert.Equal(12 + length + 16 * chunks, ciphertext.Length);
        Assert.Equal("CNSF"u8.ToArray(), ciphertext[..4]);
        Assert.Equal(SharedFileCiphertext.Version, ciphertext[4]);
        Assert.Equal(plaintext, Open(ciphertext));
    }

    [Fact]
    public void Two_files_under_one_key_get_different_nonce_prefixes()
    {
        var plaintext = RandomNumberGenerator.GetBytes(100);
        Assert.NotEqual(Seal(plaintext)[5..12], Seal(plaintext)[5..12]);
    }

    [Fact]
    public void A_changed_byte_anywhere_a_missing_chunk_or_another_key_is_refused()
    {
        var ciphertext = Seal(RandomNumberGenerator.GetBytes(2 * SealedEnvelope.ChunkBytes + 100));
        foreach (int at in new[] { 5, 11, 12, SealedEnvelope.ChunkBytes + 12 + 3, ciphertext.Length - 1 })
        {
            var tampered = (byte[])ciphertext.Clone();
            tampered[at] ^= 0x01;
            Assert.Throws<SealedDataException>(() => Open(tampered));
        }
        int sealedChunk = SealedEnvelope.ChunkBytes + 16;
        var withoutLastChunk = ciphertext[..(12 + 2 * sealedChunk)];
        Assert.Contains("chunk 1 fails authentication", Assert.Throws<SealedDataException>(() => Open(withoutLastChunk)).Message);
        Assert.Contains("truncated at chunk 2", Assert.Throws<SealedDataException>(() => Open(ciphertext[..(12 + 2 * sealedChunk + 10)])).Message);
        Assert.Throws<SealedDataException>(() => Open(ciphertext, RandomNumberGenerator.GetBytes(32)));
        Assert.Equal("shared file: not a shared file (no CNSF header)", Assert.Throws<SealedDataException>(() => Open("CNSL"u8.ToArray())).Message);
    }
}
