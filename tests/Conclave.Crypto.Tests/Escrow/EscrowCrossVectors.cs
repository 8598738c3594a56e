using System.Text.Json;
using Conclave.Testing;

namespace Conclave.Crypto.Tests.Escrow;

/// <summary>
/// tests/vectors/escrow/v1.json (README.md there): escrowed epochs sealed by the TypeScript client
/// through @hpke/core. Byte strings are hex, epochs decimal.
/// </summary>
public sealed record EscrowRecipientVector(string Name, string Ikm, string PrivateKey, string Spki, string KeyId, string KeyIdDisplay);

public sealed record RecordingExtensionVector(string Name, string RecordingId, int Scope, IReadOnlyList<string> EscrowKeys, string StartedBy, string Encoded);

public sealed record RosterEntryVector(uint Leaf, string Credential, string SignatureKey);

public sealed record EscrowedEpochVector(
    string RecordingId, string GroupId, string Epoch, string SframeEpochSecret, string DataKey, string EpochAuthenticator, uint LeafCount,
    IReadOnlyList<RosterEntryVector> Roster);

public sealed record EscrowBlobVector(string Name, int Recipient, uint SealerLeaf, EscrowedEpochVector EscrowedEpoch, string EscrowedEpochEncoded, string Blob);

public sealed record EscrowVectorFile(
    string About, IReadOnlyList<EscrowRecipientVector> Recipients, IReadOnlyList<RecordingExtensionVector> Extensions, IReadOnlyList<EscrowBlobVector> Vectors)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static EscrowVectorFile Read() =>
        JsonSerializer.Deserialize<EscrowVectorFile>(File.ReadAllText(RepositoryFiles.PathOf("tests", "vectors", "escrow", "v1.json")), Json)
        ?? throw new InvalidDataException("tests/vectors/escrow/v1.json is empty");
}
