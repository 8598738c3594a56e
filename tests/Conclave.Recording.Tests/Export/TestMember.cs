using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Conclave.Recording.Recorder;

namespace Conclave.Recording.Tests.Export;

/// <summary>
/// A meeting member as the export meets it: its leaf, its MLS signature key (P-256) and the
/// ConclaveCredential the appliance issued it, encoded and CA-signed as ConclaveCredential.Sign
/// does (docs/signalling.md, "Credential").
/// </summary>
internal sealed class TestMember : IDisposable
{
    public TestMember(string peerId, string displayName, uint leaf, byte kind, string meetingId, ECDsa ca)
    {
        PeerId = peerId;
        DisplayName = displayName;
        Leaf = leaf;
        var point = SignatureKey.ExportParameters(includePrivateParameters: false).Q;
        SignaturePoint = [0x04, .. point.X!, .. point.Y!];
        Credential = Issue(ca, meetingId, peerId, $"account:{leaf + 100}", displayName, kind, SHA256.HashData(SignaturePoint));
    }

    public string PeerId { get; }
    public string DisplayName { get; }
    public uint Leaf { get; }
    public ECDsa SignatureKey { get; } = ECDsa.Create(ECCurve.NamedCurves.nistP256);

    /// <summary>The signature key as the roster carries it: a 65-byte uncompressed point.</summary>
    public byte[] SignaturePoint { get; }

    public byte[] Credential { get; set; }

    /// <summary>body ‖ ca_signature&lt;V&gt;, the CA signing "Conclave credential v1" ‖ body, r ‖ s.</summary>
    public static byte[] Issue(ECDsa ca, string meetingId, string participantId, string attendeeKey, string displayName, byte kind, byte[] signatureKeySha256)
    {
        var body = new List<byte> { 1 };
        foreach (string text in new[] { meetingId, participantId, attendeeKey, displayName }) Vector(body, Encoding.UTF8.GetBytes(text));
        body.Add(kind);
        var notAfter = new byte[8];
        BinaryPrimitives.WriteUInt64BigEndian(notAfter, 1_800_000_000);
        body.AddRange(notAfter);
        body.AddRange(signatureKeySha256);
        var signature = ca.SignData([.. "Conclave credential v1"u8, .. body], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        var credential = new List<byte>(body);
        Vector(credential, signature);
        return [.. credential];
    }

    public void Dispose() => SignatureKey.Dispose();

    private static void Vector(List<byte> destination, byte[] bytes)
    {
        Span<byte> prefix = stackalloc byte[MlsVector.MaxPrefixBytes];
        destination.AddRange(prefix[..MlsVector.WriteLength(prefix, bytes.Length)]);
        destination.AddRange(bytes);
    }
}
