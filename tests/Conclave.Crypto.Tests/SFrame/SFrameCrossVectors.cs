using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

/// <summary>
/// One vector of tests/vectors/sframe/from-*.json (README.md there): byte strings in hex, epoch
/// and CTR as 0x-prefixed 64-bit hex as RFC 9605 Appendix C prints numbers. Kind "none" is a
/// plain SFrame seal/open with the metadata given; "audio" and "video" follow the media frame
/// rule, the metadata being the clear prefix. <see cref="Received"/> is what the receiver is given
/// (the sealed bytes, or them with a byte changed); <see cref="Opened"/> is null when it must be refused.
/// </summary>
public sealed record SFrameCrossVector(
    string Name, string SframeEpochSecret, int LeafCount, uint SenderIndex, ulong Context, string Epoch, string Ctr,
    string Kind, string Metadata, string Plaintext, string Sealed, string Received, string? Opened);

public sealed record SFrameCrossVectorFile(string About, IReadOnlyList<SFrameCrossVector> Vectors);

/// <summary>Reading, replaying and writing the cross-implementation vectors.</summary>
internal static class SFrameCrossVectors
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    public static SFrameCrossVectorFile Read(string fileName) =>
        JsonSerializer.Deserialize<SFrameCrossVectorFile>(File.ReadAllText(VectorFiles.PathOf(fileName)), Json)
        ?? throw new InvalidDataException($"{fileName} is empty");

    public static string Serialize(SFrameCrossVectorFile file) => JsonSerializer.Serialize(file, Json) + "\n";

    public static ulong Number(string value) => VectorFiles.Number(value);

    public static string NumberText(ulong value) => "0x" + value.ToString("x16", CultureInfo.InvariantCulture);

    public static SFrameMediaKind? MediaKind(string kind) => kind switch
    {
        "audio" => SFrameMediaKind.Audio,
        "video" => SFrameMediaKind.Video,
        "none" => null,
        _ => throw new InvalidDataException($"unknown kind {kind}"),
    };

    /// <summary>The sender's key: RFC 9605 §5.2's base_key is the epoch secret, the KID sets senders and streams apart.</summary>
    public static SFrameKey Key(SFrameCrossVector v) =>
        SFrameKey.FromBaseKey(Convert.FromHexString(v.SframeEpochSecret), MlsKeyIdLayout.ForLeafCount(v.LeafCount).KeyId(v.Context, v.SenderIndex, Number(v.Epoch)));

    public static byte[] Seal(SFrameCrossVector v)
    {
        using var key = Key(v);
        var plaintext = Convert.FromHexString(v.Plaintext);
        ulong ctr = Number(v.Ctr);
        var output = new byte[key.SealedLength(ctr, plaintext.Length)];
        int length = MediaKind(v.Kind) is { } kind
            ? SFrameMediaFrame.Seal(key, ctr, kind, plaintext, output)
            : key.Seal(ctr, Convert.FromHexString(v.Metadata), plaintext, output);
        return output[..length];
    }

    /// <summary>What opening <paramref name="received"/> gives (null when refused), and the header the receiver reads.</summary>
    public static (byte[]? Opened, SFrameHeader? Header) Open(SFrameCrossVector v, byte[] received)
    {
        using var key = Key(v);
        if (MediaKind(v.Kind) is { } kind)
        {
            return (SFrameMediaFrame.Open(key, kind, received), SFrameMediaFrame.TryReadHeader(kind, received, out var mediaHeader) ? mediaHeader : null);
        }
        return (key.Open(received, Convert.FromHexString(v.Metadata)), SFrameHeader.TryRead(received, out var header) ? header : null);
    }
}
