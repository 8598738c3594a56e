using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Crypto.Envelopes;
using Conclave.Crypto.Tests.SFrame;

namespace Conclave.Crypto.Tests.SharedFiles;

/// <summary>
/// tests/vectors/shared-file.json: files the browser client's content/file-cipher.ts sealed under a fixed
/// key and nonce prefix. Opening them here proves C# reads what browsers upload; sealing the same
/// plaintext here to the same bytes proves browsers read what C# seals (the client's file-cipher
/// test opens every vector). Inputs come from the same seeds on both sides.
/// </summary>
public sealed class SharedFileCrossVectorTests
{
    private sealed record Vector(int Bytes, string PlaintextSha256, string Ciphertext);

    private sealed record VectorFile(string About, string Key, string NoncePrefix, Vector[] Vectors);

    private static readonly Lazy<VectorFile> File = new(() =>
        JsonSerializer.Deserialize<VectorFile>(System.IO.File.ReadAllText(VectorFiles.VectorPath("shared-file.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))!);

    public static TheoryData<int> Sizes() => [.. File.Value.Vectors.Select(v => v.Bytes)];

    private static byte[] Plaintext(int bytes) => SFrameVectorGenerator.Seeded($"shared file {bytes} bytes", bytes);

    private static Vector VectorOf(int bytes) => File.Value.Vectors.Single(v => v.Bytes == bytes);

    [Fact]
    public void The_vectors_use_the_seeded_key_and_prefix_and_cover_empty_one_byte_and_both_sides_of_the_chunk_boundaries()
    {
        Assert.Equal(Convert.ToHexStringLower(SFrameVectorGenerator.Seeded("shared file key", 32)), File.Value.Key);
        Assert.Equal(Convert.ToHexStringLower(SFrameVectorGenerator.Seeded("shared file nonce prefix", 7)), File.Value.NoncePrefix);
        Assert.Equal([0, 1, 65535, 65536, 65537, 200000], File.Value.Vectors.Select(v => v.Bytes));
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void A_file_sealed_by_the_browser_opens_here_to_its_plaintext(int bytes)
    {
        var vector = VectorOf(bytes);
        using var ciphertext = new MemoryStream(Convert.FromBase64String(vector.Ciphertext));
        using var plaintext = new MemoryStream();
        SharedFileCiphertext.Open(ciphertext, Convert.FromHexString(File.Value.Key), plaintext);
        Assert.Equal(bytes, plaintext.Length);
        Assert.Equal(vector.PlaintextSha256, Convert.ToHexStringLower(SHA256.HashData(plaintext.ToArray())));
        Assert.Equal(Plaintext(bytes), plaintext.ToArray());
    }

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Sealing_here_with_the_same_key_and_prefix_gives_the_browser_s_bytes(int bytes)
    {
        using var plaintext = new MemoryStream(Plaintext(bytes));
        using var ciphertext = new MemoryStream();
        SharedFileCiphertext.Seal(plaintext, Convert.FromHexString(File.Value.Key), Convert.FromHexString(File.Value.NoncePrefix), ciphertext);
        Assert.Equal(VectorOf(bytes).Ciphertext, Convert.ToBase64String(ciphertext.ToArray()));
    }
}
