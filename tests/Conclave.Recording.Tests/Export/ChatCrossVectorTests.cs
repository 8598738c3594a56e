using System.Text.Json;
using Conclave.Crypto.Escrow;
using Conclave.Recording.Export;
using Conclave.Testing;

namespace Conclave.Recording.Tests.Export;

/// <summary>
/// tests/vectors/chat/v1.json (README.md there): chat lines sealed and signed by the browser's
/// chat.ts through ts-mls, opened and verified by the export.
/// </summary>
public sealed class ChatCrossVectorTests
{
    public sealed record LeafVector(uint Leaf, string SignatureKey);

    public sealed record ChatVector(string Name, string GroupId, string Epoch, uint LeafCount, string DataKey, uint SenderLeaf, long SentAtMs, string Text, string Sealed, string Expected);

    public sealed record ChatVectorFile(string About, IReadOnlyList<LeafVector> Leaves, IReadOnlyList<ChatVector> Vectors);

    public static TheoryData<string> Names => [.. Read().Vectors.Select(v => v.Name)];

    [Theory]
    [MemberData(nameof(Names))]
    public void A_line_the_browser_sealed_opens_and_its_signature_verifies_unless_it_was_changed_or_signed_by_another_leaf(string name)
    {
        var file = Read();
        var vector = file.Vectors.Single(v => v.Name == name);
        ulong epoch = ulong.Parse(vector.Epoch);
        var timeline = new EpochTimeline();
        timeline.AddEpochRecord(0, epoch);
        var entry = timeline.EpochOf(1, epoch);
        var roster = file.Leaves.Where(l => l.Leaf < vector.LeafCount).Select(l => new RosterEntry(l.Leaf, [], Convert.FromHexString(l.SignatureKey))).ToList();
        entry.Escrowed = new EscrowedEpoch(new byte[16], Convert.FromHexString(vector.GroupId), epoch, new byte[16], Convert.FromHexString(vector.DataKey), new byte[32], vector.LeafCount, roster);
        entry.Layout = Crypto.SFrame.MlsKeyIdLayout.ForLeafCount(vector.LeafCount);
        timeline.Complete();

        var line = ChatTranscript.Open(new StoredChat(2_000, 1, "peer-x", epoch, Convert.FromHexString(vector.Sealed)), timeline, 1_767_225_600_000);

        switch (vector.Expected)
        {
            case "undecryptable":
                Assert.Equal(("it does not authenticate under the epoch's chat key", null, null), (line.Undecryptable, line.Signature, line.Text));
                break;
            default:
                Assert.Equal((vector.Expected, vector.Text, vector.SentAtMs, vector.SenderLeaf, (string?)null), (line.Signature, line.Text, line.SentAtMs!.Value, line.Leaf!.Value, line.Undecryptable));
                break;
        }
        Assert.Equal((1_767_225_600_002L, epoch, "peer-x"), (line.ArrivalUnixMs, line.Epoch, line.RelayedFor));
    }

    private static ChatVectorFile Read() =>
        JsonSerializer.Deserialize<ChatVectorFile>(File.ReadAllText(RepositoryFiles.PathOf("tests", "vectors", "chat", "v1.json")), new JsonSerializerOptions(JsonSerializerDefaults.Web))
        ?? throw new InvalidDataException("tests/vectors/chat/v1.json is empty");
}
