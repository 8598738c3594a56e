using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

public sealed class SFrameCrossVectorTests
{
    private const string TypeScriptFile = "from-typescript.json";

    public static TheoryData<string> TypeScriptVectorNames()
    {
        var names = new TheoryData<string>();
        foreach (var vector in SFrameCrossVectors.Read(TypeScriptFile).Vectors) names.Add(vector.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(TypeScriptVectorNames))]
    public void A_frame_sealed_by_the_TypeScript_client_seals_to_the_same_bytes_and_opens_the_same_here(string name)
    {
        var v = SFrameCrossVectors.Read(TypeScriptFile).Vectors.Single(vector => vector.Name == name);
        var plaintext = Convert.FromHexString(v.Plaintext);
        if (SFrameCrossVectors.MediaKind(v.Kind) is { } kind)
        {
            Assert.Equal(v.Metadata, Convert.ToHexStringLower(plaintext, 0, SFrameMediaFrame.ClearPrefixLength(kind, plaintext)));
        }
        Assert.Equal(v.Sealed, Convert.ToHexStringLower(SFrameCrossVectors.Seal(v)));
        var (opened, header) = SFrameCrossVectors.Open(v, Convert.FromHexString(v.Received));
        Assert.Equal(v.Opened, opened is null ? null : Convert.ToHexStringLower(opened));
        if (v.Opened is not null) Assert.Equal(SFrameCrossVectors.Number(v.Ctr), header?.Ctr);
    }

    [Fact]
    public void The_TypeScript_vectors_cover_audio_VP8_key_and_delta_frames_short_frames_data_frames_and_tampering()
    {
        var vectors = SFrameCrossVectors.Read(TypeScriptFile).Vectors;
        Assert.Equal(["audio", "none", "video"], vectors.Select(v => v.Kind).Distinct().Order());
        var frames = vectors.Where(v => v.Kind == "video").Select(v => Convert.FromHexString(v.Plaintext)).ToList();
        Assert.Contains(frames, frame => frame.Length > 10 && (frame[0] & 1) == 0);
        Assert.Contains(frames, frame => frame.Length > 3 && (frame[0] & 1) == 1);
        Assert.Contains(frames, frame => frame.Length > 0 && frame.Length < ((frame[0] & 1) == 0 ? 10 : 3));
        Assert.Contains(vectors, v => v.Received != v.Sealed && v.Opened is null);
        Assert.True(vectors.Select(v => (v.Context, v.SenderIndex, v.Epoch)).Distinct().Count() >= 5);
    }

    /// <summary>
    /// The C# vectors are made from fixed seeds, so the committed file must be exactly what the
    /// generator makes now; CONCLAVE_WRITE_SFRAME_VECTORS=1 rewrites it first.
    /// </summary>
    [Fact]
    public void The_committed_CSharp_vectors_are_what_the_generator_makes()
    {
        string path = VectorFiles.PathOf(SFrameVectorGenerator.FileName);
        string made = SFrameCrossVectors.Serialize(SFrameVectorGenerator.Make());
        if (Environment.GetEnvironmentVariable("CONCLAVE_WRITE_SFRAME_VECTORS") == "1") File.WriteAllText(path, made);
        Assert.Equal(made, File.ReadAllText(path));
    }
}
