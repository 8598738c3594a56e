using System.Text.Json;
using Conclave.Testing;

namespace Conclave.Crypto.Tests.Hpke;

/// <summary>
/// tests/vectors/hpke/rfc9180-a3-base.json: RFC 9180 Appendix A.3.1 (DHKEM(P-256, HKDF-SHA256),
/// HKDF-SHA256, AES-128-GCM, base mode) with the names the RFC prints, hex values as bytes.
/// </summary>
internal sealed class Rfc9180Vector
{
    private readonly JsonElement _root;

    private Rfc9180Vector(JsonElement root) => _root = root;

    public static Rfc9180Vector Read()
    {
        using var document = JsonDocument.Parse(File.ReadAllText(RepositoryFiles.PathOf("tests", "vectors", "hpke", "rfc9180-a3-base.json")));
        return new Rfc9180Vector(document.RootElement.Clone());
    }

    public int Number(string name) => _root.GetProperty(name).GetInt32();

    public byte[] Bytes(string name) => Convert.FromHexString(_root.GetProperty(name).GetString()!);

    /// <summary>The encryption at this sequence number: pt, aad, nonce and ct.</summary>
    public Func<string, byte[]> Encryption(int sequenceNumber)
    {
        foreach (var encryption in _root.GetProperty("encryptions").EnumerateArray())
        {
            if (encryption.GetProperty("sequence_number").GetInt32() == sequenceNumber) return name => Convert.FromHexString(encryption.GetProperty(name).GetString()!);
        }
        throw new InvalidDataException($"no encryption at sequence number {sequenceNumber}");
    }
}
