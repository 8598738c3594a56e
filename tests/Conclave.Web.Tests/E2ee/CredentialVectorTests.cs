using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using Conclave.Web.E2ee;
using Conclave.Web.Ports;

namespace Conclave.Web.Tests.E2ee;

/// <summary>
/// The appliance's encoder against tests/vectors/credential/v1.json, made by the browser's own
/// encoder and verifier (client/src/e2ee/credential.ts): both sides write the same bytes.
/// </summary>
public sealed class CredentialVectorTests
{
    private static readonly JsonElement Vector = JsonDocument.Parse(File.ReadAllText(Path.Combine(RepositoryPaths.Root, "tests", "vectors", "credential", "v1.json"))).RootElement;

    private static byte[] Hex(string property) => Convert.FromHexString(Vector.GetProperty(property).GetString()!);

    private static CredentialBody Body()
    {
        var fields = Vector.GetProperty("fields");
        return new CredentialBody(fields.GetProperty("meetingId").GetString()!, fields.GetProperty("participantId").GetString()!,
            fields.GetProperty("attendeeKey").GetString()!, fields.GetProperty("displayName").GetString()!, (AttendeeKind)fields.GetProperty("kind").GetByte(),
            fields.GetProperty("notAfterUnixSeconds").GetUInt64(), Convert.FromHexString(fields.GetProperty("signatureKeySha256Hex").GetString()!));
    }

    [Fact]
    public void The_body_the_signed_message_and_the_credential_are_byte_for_byte_the_browsers()
    {
        byte[] body = ConclaveCredential.EncodeBody(Body());

        Assert.Equal(Hex("bodyHex"), body);
        Assert.Equal(Hex("signedMessageHex"), ConclaveCredential.SignatureInput(body));
        Assert.Equal(Hex("credentialHex"), ConclaveCredential.Encode(body, Hex("caSignatureHex")));
    }

    [Fact]
    public void The_key_digest_is_sha256_of_the_vectors_signature_key()
    {
        var key = MlsSignatureKey.TryCreate(Hex("signaturePublicKeyHex"));
        Assert.Equal(Convert.FromHexString(Vector.GetProperty("fields").GetProperty("signatureKeySha256Hex").GetString()!), key!.Sha256());
    }

    [Fact]
    public void A_credential_issued_with_the_vectors_test_ca_differs_only_in_its_signature_which_the_vectors_ca_key_verifies()
    {
        using var ca = new VectorCa();
        var issued = ConclaveCredential.Sign(Body(), ca);

        byte[] body = Hex("bodyHex");
        Assert.Equal(Hex("credentialHex")[..(body.Length + 2)], issued.Credential[..(body.Length + 2)]);
        Assert.Equal(Hex("caPublicKeySpkiHex"), issued.CaPublicKeySpki);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(issued.CaPublicKeySpki, out _);
        Assert.True(verifier.VerifyData(Hex("signedMessageHex"), issued.Credential[(body.Length + 2)..], HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    /// <summary>The vector's published test-only CA key, from its JWK.</summary>
    private sealed class VectorCa : ICredentialSigner, IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(new ECParameters
        {
            Curve = ECCurve.NamedCurves.nistP256,
            D = Jwk("d"),
            Q = new ECPoint { X = Jwk("x"), Y = Jwk("y") },
        });

        private static byte[] Jwk(string member) => Base64Url.DecodeFromChars(Vector.GetProperty("caPrivateKeyJwk").GetProperty(member).GetString());

        public byte[] SignP1363(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        public byte[] CaPublicKeySpki() => _key.ExportSubjectPublicKeyInfo();

        public void Dispose() => _key.Dispose();
    }
}
