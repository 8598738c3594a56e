using System.Security.Cryptography;
using System.Text;
using Conclave.Keys.Roles;
using Conclave.Testing;

namespace Conclave.Keys.Tests;

/// <summary>
/// The compliance token beside the appliance's: its own roles only, ECDH by escrow key id and
/// manifest signatures checked against .NET, neither token provisioned with the other's
/// roles, and the escrow keys registered on the appliance token as public data objects.
/// </summary>
[Collection(SharedTokenCollection.Name)]
public sealed class ComplianceTokenTests : IDisposable
{
    /// <summary>PINs outside any state directory, as a compliance token's are.</summary>
    private readonly string _pins = Directory.CreateTempSubdirectory("conclave-compliance-pins-").FullName;

    /// <summary>A new compliance token (its own label: the shared SoftHSM2 keeps every token a test made) and its PIN.</summary>
    private (string Label, byte[] Pin) NewComplianceToken(bool provision = true)
    {
        _ = DevelopmentTokenState.Token; // the module is loaded with the shared configuration
        string label = $"conclave-compliance-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        string pinPath = Path.Combine(_pins, label);
        Assert.True(DevelopmentToken.Initialize(DevelopmentTokenState.StateDirectory, label, pinPath, pinPath + ".so"));
        var pin = File.ReadAllBytes(pinPath);
        if (provision)
        {
            using var token = ComplianceToken.Open(DevelopmentToken.SoftHsmModulePath, label, pin);
            KeyProvisioner.ProvisionMissing(token, ComplianceKeyRoles.All);
        }
        return (label, pin);
    }

    /// <summary>A new appliance token with every appliance role key, opened.</summary>
    private Token NewApplianceToken()
    {
        _ = DevelopmentTokenState.Token;
        string label = $"conclave-appliance-{RandomNumberGenerator.GetHexString(8, lowercase: true)}";
        string pinPath = Path.Combine(_pins, label);
        DevelopmentToken.Initialize(DevelopmentTokenState.StateDirectory, label, pinPath, pinPath + ".so");
        var token = Token.Open(new TokenOptions { TokenLabel = label }, File.ReadAllBytes(pinPath));
        KeyProvisioner.ProvisionMissing(token, KeyRoles.Appliance);
        return token;
    }

    private static ComplianceToken Open((string Label, byte[] Pin) compliance) => ComplianceToken.Open(DevelopmentToken.SoftHsmModulePath, compliance.Label, compliance.Pin);

    private static byte[] UncompressedPoint(ECDiffieHellman key)
    {
        var q = key.ExportParameters(false).Q;
        return [0x04, .. q.X!, .. q.Y!];
    }

    [Fact]
    public void Init_writes_the_pins_where_told_mode_0600_and_nothing_into_the_state_directory()
    {
        var before = Directory.GetFiles(DevelopmentTokenState.StateDirectory).ToHashSet();
        var (label, _) = NewComplianceToken(provision: false);
        string pinPath = Path.Combine(_pins, label);
        foreach (string path in new[] { pinPath, pinPath + ".so" })
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        }
        Assert.NotEqual(File.ReadAllText(pinPath), File.ReadAllText(pinPath + ".so"));
        Assert.Equal(before, Directory.GetFiles(DevelopmentTokenState.StateDirectory).ToHashSet());
        Assert.True(DevelopmentToken.Exists(DevelopmentTokenState.StateDirectory, label));
    }

    [Theory]
    [InlineData(ComplianceKeyRole.Escrow1)]
    [InlineData(ComplianceKeyRole.Escrow2)]
    [InlineData(ComplianceKeyRole.Signing)]
    public void Every_compliance_key_is_sensitive_and_never_extractable(ComplianceKeyRole role)
    {
        using var token = Open(NewComplianceToken());
        var protection = KeyProvisioner.Inspect(token, role);
        Assert.True(protection.Found);
        Assert.True(protection.Sensitive);
        Assert.False(protection.Extractable);
        Assert.True(protection.AlwaysSensitive);
        Assert.True(protection.NeverExtractable);
        Assert.Contains(token.Token.Objects(), o => o.Label == ComplianceKeyRoles.LabelOf(role) && o.Class == "CKO_PRIVATE_KEY" && o.Private);
    }

    [Fact]
    public void Ecdh_with_each_escrow_key_found_by_its_id_agrees_with_dotnet()
    {
        using var token = Open(NewComplianceToken());
        var escrowKeys = token.EscrowPublicKeys();
        Assert.Equal(2, escrowKeys.Count);
        Assert.NotEqual(escrowKeys[0], escrowKeys[1]);
        foreach (var spki in escrowKeys)
        {
            Assert.Equal(RegisteredEscrowKeys.SubjectPublicKeyInfoLength, spki.Length);
            using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
            using var escrowPublic = ECDiffieHellman.Create();
            escrowPublic.ImportSubjectPublicKeyInfo(spki, out _);
            var onToken = token.DeriveSharedSecret(spki, UncompressedPoint(sender));
            Assert.Equal(32, onToken.Length);
            Assert.Equal(sender.DeriveRawSecretAgreement(escrowPublic.PublicKey), onToken);
        }
    }

    [Fact]
    public void Ecdh_with_a_key_not_on_the_token_is_refused_naming_its_hash()
    {
        using var token = Open(NewComplianceToken());
        using var sender = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var stranger = sender.ExportSubjectPublicKeyInfo();
        var refused = Assert.Throws<TokenException>(() => token.DeriveSharedSecret(stranger, UncompressedPoint(sender)));
        Assert.Contains(Convert.ToHexString(SHA256.HashData(stranger))[..16], refused.Message);
        Assert.Throws<ArgumentException>(() => token.DeriveSharedSecret(token.EscrowPublicKeys()[0], UncompressedPoint(sender)[..33]));
    }

    [Fact]
    public void A_manifest_signature_verifies_with_the_signing_public_key_and_not_with_an_escrow_key()
    {
        using var token = Open(NewComplianceToken());
        var manifest = Encoding.UTF8.GetBytes("{\"recording\":\"00112233445566778899aabbccddeeff\"}");
        var signature = token.SignManifest(manifest);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(token.SigningPublicKey(), out _);
        Assert.True(verifier.VerifyData(manifest, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(verifier.VerifyData((byte[])[.. manifest, 0x20], signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.DoesNotContain(token.SigningPublicKey(), token.EscrowPublicKeys());
    }


    [Fact]
    public void A_compliance_token_refuses_to_open_an_appliance_token()
    {
        using var appliance = NewApplianceToken();
        string label = appliance.Label;
        var pin = File.ReadAllBytes(Path.Combine(_pins, label));
        appliance.Dispose();
        var refused = Assert.Throws<TokenException>(() => ComplianceToken.Open(DevelopmentToken.SoftHsmModulePath, label, pin));
        Assert.Contains("holds the appliance's keys", refused.Message);
        Assert.DoesNotContain(label, Token.OpenLabels); // refused, and closed again
    }

    [Fact]
    public void Appliance_provisioning_refuses_a_token_with_a_compliance_key_until_remove_takes_it_away()
    {
        using var appliance = NewApplianceToken();
        DevelopmentTokenState.AddPreSeparationEscrowKey(appliance);
        Assert.Equal(["conclave-compliance-escrow"], StrayComplianceKeys.Find(appliance));

        var refused = Assert.Throws<TokenException>(() => KeyProvisioner.ProvisionMissing(appliance, KeyRoles.Appliance));
        Assert.Contains(StrayComplianceKeys.RemoveCommand, refused.Message);

        Assert.Equal(["conclave-compliance-escrow"], StrayComplianceKeys.Remove(appliance));
        Assert.DoesNotContain(appliance.Objects(), o => o.Label.StartsWith(ComplianceKeyRoles.LabelPrefix, StringComparison.Ordinal));
        Assert.Empty(StrayComplianceKeys.Find(appliance));
        Assert.All(KeyProvisioner.ProvisionMissing(appliance, KeyRoles.Appliance), key => Assert.False(key.Created));
    }

    [Fact]
    public void Removing_stray_keys_refuses_a_token_without_appliance_keys_and_leaves_its_keys()
    {
        var compliance = NewComplianceToken();
        using var opened = Token.Open(new TokenOptions { TokenLabel = compliance.Label }, compliance.Pin);
        var refused = Assert.Throws<TokenException>(() => StrayComplianceKeys.Remove(opened));
        Assert.Contains("not the appliance token", refused.Message);
        Assert.Equal(ComplianceKeyRoles.All.Select(ComplianceKeyRoles.LabelOf).Order(StringComparer.Ordinal), StrayComplianceKeys.Find(opened));
    }

    [Fact]
    public void The_appliance_token_caches_its_own_role_keys_and_no_compliance_key()
    {
        var cached = DevelopmentTokenState.Token.Session.Keys.RoleKeys.Select(key => key.Label).ToList();
        Assert.Equal(KeyRoles.Appliance.Select(KeyRoles.DefaultLabel), cached);
        Assert.DoesNotContain(cached, label => label.StartsWith(ComplianceKeyRoles.LabelPrefix, StringComparison.Ordinal));
    }

    [Fact]
    public void Registered_escrow_keys_round_trip_as_public_data_objects_and_a_shorter_list_replaces_a_longer()
    {
        using var appliance = NewApplianceToken();
        Assert.Empty(RegisteredEscrowKeys.Read(appliance));
        IReadOnlyList<byte[]> escrowKeys;
        using (var compliance = Open(NewComplianceToken()))
        {
            escrowKeys = compliance.EscrowPublicKeys();
        }

        RegisteredEscrowKeys.Write(appliance, escrowKeys);
        Assert.Equal(escrowKeys, RegisteredEscrowKeys.Read(appliance));
        var stored = appliance.Objects().Where(o => o.Label.StartsWith(RegisteredEscrowKeys.LabelPrefix, StringComparison.Ordinal)).OrderBy(o => o.Label, StringComparer.Ordinal).ToList();
        Assert.Equal([new TokenObject("CKO_DATA", "conclave-escrow-key-1", false), new TokenObject("CKO_DATA", "conclave-escrow-key-2", false)], stored);

        RegisteredEscrowKeys.Write(appliance, [escrowKeys[1]]);
        Assert.Equal([escrowKeys[1]], RegisteredEscrowKeys.Read(appliance));
        Assert.DoesNotContain(appliance.Objects(), o => o.Label.StartsWith("conclave-escrow-key-2", StringComparison.Ordinal));
    }

    [Fact]
    public void Registering_anything_but_distinct_p256_public_keys_is_refused()
    {
        using var appliance = NewApplianceToken();
        using var p384 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP384);
        using var p256 = ECDiffieHellman.Create(ECCurve.NamedCurves.nistP256);
        var good = p256.ExportSubjectPublicKeyInfo();
        Assert.Throws<ArgumentException>(() => RegisteredEscrowKeys.Write(appliance, [p384.ExportSubjectPublicKeyInfo()]));
        Assert.Throws<ArgumentException>(() => RegisteredEscrowKeys.Write(appliance, [good[..90]]));
        Assert.Throws<ArgumentException>(() => RegisteredEscrowKeys.Write(appliance, [good, good]));
        Assert.Throws<ArgumentException>(() => RegisteredEscrowKeys.Write(appliance, []));
        Assert.Empty(RegisteredEscrowKeys.Read(appliance));
    }

    [Fact]
    public void Open_labels_name_the_tokens_open_now()
    {
        var compliance = NewComplianceToken();
        using (Open(compliance))
        {
            Assert.Contains(compliance.Label, Token.OpenLabels);
        }
        Assert.DoesNotContain(compliance.Label, Token.OpenLabels);
    }

    [Fact]
    public void A_wrong_compliance_pin_is_refused_once_saying_what_the_token_reports_of_the_tries_left()
    {
        var (label, _) = NewComplianceToken(provision: false);
        const string wrong = "not-the-compliance-pin";
        var refused = Assert.Throws<TokenException>(() => ComplianceToken.Open(DevelopmentToken.SoftHsmModulePath, label, Encoding.UTF8.GetBytes(wrong)));
        Assert.Contains($"wrong PIN for token '{label}'", refused.Message);
        Assert.Contains("the token reports few tries left", refused.Message); // SoftHSM2 sets CKF_USER_PIN_COUNT_LOW after a failure
        Assert.DoesNotContain(wrong, refused.Message);
        Assert.DoesNotContain(label, Token.OpenLabels);
    }

    public void Dispose() => Directory.Delete(_pins, recursive: true);
}
