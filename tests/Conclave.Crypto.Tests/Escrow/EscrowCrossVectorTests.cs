using System.Globalization;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Escrow;

/// <summary>What the browser seals with @hpke/core opens here: tests/vectors/escrow/v1.json, made by escrow.ts.</summary>
public sealed class EscrowCrossVectorTests
{
    private static readonly EscrowVectorFile File = EscrowVectorFile.Read();

    public static TheoryData<string> BlobNames()
    {
        var names = new TheoryData<string>();
        foreach (var vector in File.Vectors) names.Add(vector.Name);
        return names;
    }

    public static TheoryData<string> ExtensionNames()
    {
        var names = new TheoryData<string>();
        foreach (var extension in File.Extensions) names.Add(extension.Name);
        return names;
    }

    [Fact]
    public void Each_recipient_key_pair_is_RFC_9180_DeriveKeyPair_of_its_ikm_here_as_in_hpke_core_and_named_by_its_key_id()
    {
        Assert.Equal(2, File.Recipients.Count);
        foreach (var r in File.Recipients)
        {
            using var derived = DhKemP256.DeriveKeyPair(Convert.FromHexString(r.Ikm));
            Assert.Equal(r.PrivateKey, Convert.ToHexStringLower(derived.ExportParameters(includePrivateParameters: true).D!));
            using var recipient = SoftwareHpkeRecipient.FromPrivateKey(Convert.FromHexString(r.PrivateKey));
            Assert.Equal(r.Spki, Convert.ToHexStringLower(recipient.SubjectPublicKeyInfo));
            var keyId = EscrowKeyId.Of(recipient.SubjectPublicKeyInfo);
            Assert.Equal(r.KeyId, Convert.ToHexStringLower(keyId));
            Assert.Equal(r.KeyIdDisplay, EscrowKeyId.Display(keyId));
        }
    }

    [Theory]
    [MemberData(nameof(BlobNames))]
    public void A_blob_sealed_by_the_TypeScript_client_opens_here_to_the_epoch_it_sealed(string name)
    {
        var v = File.Vectors.Single(vector => vector.Name == name);
        var bytes = Convert.FromHexString(v.Blob);
        using var recipient = SoftwareHpkeRecipient.FromPrivateKey(Convert.FromHexString(File.Recipients[v.Recipient].PrivateKey));

        Assert.True(EscrowBlob.TryParse(bytes, out var blob));
        Assert.Equal(bytes, blob.Write());
        Assert.Equal(v.EscrowedEpoch.RecordingId, Convert.ToHexStringLower(blob.RecordingId));
        Assert.Equal(ulong.Parse(v.EscrowedEpoch.Epoch, CultureInfo.InvariantCulture), blob.Epoch);
        Assert.Equal(v.SealerLeaf, blob.SealerLeaf);
        Assert.Equal(File.Recipients[v.Recipient].KeyId, Convert.ToHexStringLower(blob.EscrowKeyId));

        var epoch = EscrowOpener.Open(blob, recipient);

        Assert.Equal(v.EscrowedEpochEncoded, Convert.ToHexStringLower(epoch.Write()));
        var expected = v.EscrowedEpoch;
        Assert.Equal(expected.RecordingId, Convert.ToHexStringLower(epoch.RecordingId));
        Assert.Equal(expected.GroupId, Convert.ToHexStringLower(epoch.GroupId));
        Assert.Equal(expected.Epoch, epoch.Epoch.ToString(CultureInfo.InvariantCulture));
        Assert.Equal(expected.SframeEpochSecret, Convert.ToHexStringLower(epoch.SFrameEpochSecret));
        Assert.Equal(expected.DataKey, Convert.ToHexStringLower(epoch.DataKey));
        Assert.Equal(expected.EpochAuthenticator, Convert.ToHexStringLower(epoch.EpochAuthenticator));
        Assert.Equal(expected.LeafCount, epoch.LeafCount);
        Assert.Equal(
            expected.Roster.Select(r => (r.Leaf, r.Credential, r.SignatureKey)),
            epoch.Roster.Select(r => (r.Leaf, Convert.ToHexStringLower(r.Credential), Convert.ToHexStringLower(r.SignatureKey))));
    }

    [Theory]
    [MemberData(nameof(BlobNames))]
    public void A_blob_sealed_by_the_TypeScript_client_does_not_open_with_the_other_escrow_key(string name)
    {
        var v = File.Vectors.Single(vector => vector.Name == name);
        Assert.True(EscrowBlob.TryParse(Convert.FromHexString(v.Blob), out var blob));
        using var other = SoftwareHpkeRecipient.FromPrivateKey(Convert.FromHexString(File.Recipients[1 - v.Recipient].PrivateKey));

        Assert.Throws<EscrowOpenException>(() => EscrowOpener.Open(blob, other));
        Assert.Throws<EscrowOpenException>(() => EscrowOpener.Open(blob with { EscrowKeyId = EscrowKeyId.Of(other.SubjectPublicKeyInfo) }, other));
    }

    [Theory]
    [MemberData(nameof(ExtensionNames))]
    public void A_recording_extension_encoded_by_the_TypeScript_client_parses_here_and_writes_the_same_bytes(string name)
    {
        var v = File.Extensions.Single(extension => extension.Name == name);
        var bytes = Convert.FromHexString(v.Encoded);

        Assert.True(RecordingExtension.TryParse(bytes, out var extension));

        Assert.Equal(v.RecordingId, Convert.ToHexStringLower(extension.RecordingId));
        Assert.Equal((RecordingScope)v.Scope, extension.Scope);
        Assert.Equal(v.EscrowKeys, extension.EscrowKeys.Select(Convert.ToHexStringLower));
        Assert.Equal(v.StartedBy, extension.StartedBy);
        Assert.Equal(bytes, extension.Write());
    }
}
