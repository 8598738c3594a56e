using System.Security.Cryptography;
using Conclave.Crypto.Envelopes;
using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Crypto.Tests;

public sealed class SealedEnvelopeTests
{
    private static readonly TokenKeyWrapper Wrapper = new(DevelopmentTokenState.Token);

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(SealedEnvelope.ChunkBytes - 1)]
    [InlineData(SealedEnvelope.ChunkBytes)]
    [InlineData(SealedEnvelope.ChunkBytes + 1)]
    [InlineData(3 * SealedEnvelope.ChunkBytes + 17)]
    public void Objects_round_trip(int length)
    {
        var plaintext = RandomNumberGenerator.GetBytes(length);
        var sealedBytes = SealedEnvelope.Seal(plaintext, Wrapper);
        Assert.Equal(plaintext, SealedEnvelope.Open(sealedBytes, Wrapper, "test object"));
        if (length > 16) Assert.Equal(-1, sealedBytes.AsSpan().IndexOf(plaintext.AsSpan(0, 16)));
    }

    [Fact]
    public void A_100_MB_object_streams_through_with_progress()
    {
        const long size = 100L * 1024 * 1024;
        string directory = Directory.CreateTempSubdirectory("conclave-big-").FullName;
        try
        {
            string plainPath = Path.Combine(directory, "plain"), sealedPath = Path.Combine(directory, "sealed"), openedPath = Path.Combine(directory, "opened");
            using (var plain = File.Create(plainPath))
            {
                var block = new byte[1024 * 1024];
                for (int i = 0; i < 100; i++)
                {
                    RandomNumberGenerator.Fill(block);
                    plain.Write(block);
                }
            }
            long lastReported = 0;
            using (var input = File.OpenRead(plainPath))
            using (var output = File.Create(sealedPath))
            {
                SealedEnvelope.Seal(input, output, Wrapper, new SynchronousProgress(done => lastReported = done));
            }
            Assert.Equal(size, lastReported);
            using (var input = File.OpenRead(sealedPath))
            using (var output = File.Create(openedPath))
            {
                SealedEnvelope.Open(input, output, Wrapper, "big object");
            }
            using var a = File.OpenRead(plainPath);
            using var b = File.OpenRead(openedPath);
            Assert.Equal(SHA256.HashData(a), SHA256.HashData(b));
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void Tampering_with_any_byte_is_detected_and_names_the_object()
    {
        var sealedBytes = SealedEnvelope.Seal(RandomNumberGenerator.GetBytes(700), Wrapper);
        for (int i = 0; i < sealedBytes.Length; i++)
        {
            var tampered = (byte[])sealedBytes.Clone();
            tampered[i] ^= 0x40;
            var refused = Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(tampered, Wrapper, "minutes-2026-11-24"));
            Assert.StartsWith("minutes-2026-11-24: ", refused.Message);
        }
    }

    [Fact]
    public void Truncated_reordered_and_extended_objects_are_detected()
    {
        int chunk = SealedEnvelope.ChunkBytes + 16;
        var sealedBytes = SealedEnvelope.Seal(RandomNumberGenerator.GetBytes(3 * SealedEnvelope.ChunkBytes + 100), Wrapper);
        int header = sealedBytes.Length - (3 * chunk + 100 + 16);
        // Cut at a chunk boundary (the most dangerous truncation), mid-chunk, and inside the header.
        foreach (int length in new[] { header + 2 * chunk, header + chunk + 5, header - 3, 3 })
        {
            Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(sealedBytes[..length], Wrapper, "cut"));
        }
        var swapped = (byte[])sealedBytes.Clone();
        sealedBytes.AsSpan(header, chunk).CopyTo(swapped.AsSpan(header + chunk));
        sealedBytes.AsSpan(header + chunk, chunk).CopyTo(swapped.AsSpan(header));
        var refused = Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(swapped, Wrapper, "swapped"));
        Assert.Contains("chunk 0", refused.Message);
        Assert.Throws<SealedDataException>(() => SealedEnvelope.Open([.. sealedBytes, .. sealedBytes[^20..]], Wrapper, "extended"));
    }

    [Fact]
    public void A_storage_key_rotation_leaves_every_object_readable_under_the_new_key_only()
    {
        string newKek = "conclave-storage-kek-" + Guid.NewGuid().ToString("N")[..8];
        KeyProvisioner.CreateStorageKek(DevelopmentTokenState.Token, newKek);
        var rotated = new TokenKeyWrapper(DevelopmentTokenState.Token, newKek);
        var objects = Enumerable.Range(0, 5).Select(i => RandomNumberGenerator.GetBytes(i * 40_000)).ToList();
        var stored = objects.Select(o => SealedEnvelope.Seal(o, Wrapper)).ToList();

        foreach (var sealedBytes in stored)
        {
            using var stream = new MemoryStream();
            stream.Write(sealedBytes);
            stream.Position = 0;
            SealedEnvelope.Rewrap(stream, Wrapper, rotated, "object");
            stream.ToArray().CopyTo(sealedBytes, 0);
        }
        for (int i = 0; i < objects.Count; i++)
        {
            Assert.Equal(objects[i], SealedEnvelope.Open(stored[i], rotated, $"object {i}"));
            var refused = Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(stored[i], Wrapper, $"object {i}"));
            Assert.Contains("does not unwrap", refused.Message);
        }
    }

    [Fact]
    public void A_destroyed_key_leaves_the_object_unopenable_and_its_chunks_untouched()
    {
        var content = RandomNumberGenerator.GetBytes(100_000);
        var sealedBytes = SealedEnvelope.Seal(content, Wrapper);
        using var stream = new MemoryStream();
        stream.Write(sealedBytes);
        stream.Position = 0;

        SealedEnvelope.DestroyKey(stream, "recording segment");

        var shredded = stream.ToArray();
        Assert.Equal(sealedBytes.Length, shredded.Length);
        int headerBytes = 4 + 1 + 7 + 2;
        int wrappedBytes = (sealedBytes[12] << 8) | sealedBytes[13];
        Assert.All(shredded[headerBytes..(headerBytes + wrappedBytes)], b => Assert.Equal(0, b));
        Assert.Equal(sealedBytes[(headerBytes + wrappedBytes)..], shredded[(headerBytes + wrappedBytes)..]);
        var refused = Assert.Throws<SealedDataException>(() => SealedEnvelope.Open(shredded, Wrapper, "recording segment"));
        Assert.Contains("recording segment", refused.Message);
    }

    [Fact]
    public void Garbage_is_not_a_sealed_object()
    {
        var refused = Assert.Throws<SealedDataException>(() => SealedEnvelope.Open("hello world, not sealed"u8, Wrapper, "notes.txt"));
        Assert.Equal("notes.txt: not a sealed object (no CNSL header)", refused.Message);
    }

    private sealed class SynchronousProgress(Action<long> report) : IProgress<long>
    {
        public void Report(long value) => report(value);
    }
}
