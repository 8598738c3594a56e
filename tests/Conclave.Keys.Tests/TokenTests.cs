using System.Diagnostics;
using System.Security.Cryptography;
using System.Text;
using Conclave.Keys.Roles;
using Conclave.Testing;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys.Tests;

/// <summary>Key custody on a real PKCS#11 token (SoftHSM2), checked against .NET's own crypto.</summary>
[Collection(SharedTokenCollection.Name)]
public sealed class TokenTests
{
    private static Token Token => DevelopmentTokenState.Token;

    [Theory]
    [InlineData(KeyRole.TlsIdentity)]
    [InlineData(KeyRole.CredentialCa)]
    [InlineData(KeyRole.AuditSigning)]
    [InlineData(KeyRole.StorageKek)]
    public void Every_role_key_is_sensitive_and_never_extractable(KeyRole role)
    {
        var protection = KeyProvisioner.Inspect(Token, role);
        Assert.True(protection.Found);
        Assert.True(protection.Sensitive);
        Assert.False(protection.Extractable);
        Assert.True(protection.AlwaysSensitive);
        Assert.True(protection.NeverExtractable);
    }

    [Theory]
    [InlineData(KeyRole.TlsIdentity, CKO.CKO_PRIVATE_KEY)]
    [InlineData(KeyRole.StorageKek, CKO.CKO_SECRET_KEY)]
    public void Reading_or_wrapping_a_role_key_fails(KeyRole role, CKO objectClass)
    {
        Token.Session.Run(session =>
        {
            var key = Token.Session.Keys.Require(session, Pkcs11.RoleKey.Of(role, Token.Options), objectClass);
            var value = session.GetAttributeValue(key, [CKA.CKA_VALUE])[0];
            Assert.True(value.CannotBeRead, "CKA_VALUE of a sensitive key cannot be read");
            var kek = Token.Session.Keys.Require(session, Pkcs11.RoleKey.Of(KeyRole.StorageKek, Token.Options), CKO.CKO_SECRET_KEY);
            var wrap = Assert.Throws<Pkcs11Exception>(() => session.WrapKey(session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD), kek, key));
            Assert.Contains(wrap.RV, new[] { CKR.CKR_KEY_UNEXTRACTABLE, CKR.CKR_KEY_NOT_WRAPPABLE });
        });
    }

    [Fact]
    public void A_token_signature_verifies_with_dotnet_against_the_exported_public_key()
    {
        var data = Encoding.UTF8.GetBytes("audit checkpoint 42");
        var signature = Token.SignDer(KeyRole.AuditSigning, data);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(Token.ExportPublicKey(KeyRole.AuditSigning), out _);
        Assert.True(verifier.VerifyData(data, signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
        Assert.False(verifier.VerifyData(Encoding.UTF8.GetBytes("audit checkpoint 43"), signature, HashAlgorithmName.SHA256, DSASignatureFormat.Rfc3279DerSequence));
    }

    [Fact]
    public void A_data_key_round_trips_through_wrap_and_unwrap()
    {
        var dataKey = RandomNumberGenerator.GetBytes(32);
        var wrapped = Token.WrapDataKey(dataKey);
        Assert.Equal(40, wrapped.Length); // RFC 5649: 32 bytes + 8 of integrity check
        Assert.Equal(dataKey, Token.UnwrapDataKey(wrapped));
    }

    [Fact]
    public void A_tampered_wrapped_key_is_refused_as_corrupt()
    {
        var wrapped = Token.WrapDataKey(RandomNumberGenerator.GetBytes(32));

        for (int i = 0; i < wrapped.Length; i += 7)
        {
            var tampered = (byte[])wrapped.Clone();
            tampered[i] ^= 0x01;
            var refused = Assert.Throws<TokenException>(() => Token.UnwrapDataKey(tampered));
            Assert.Contains("corrupt", refused.Message);
        }
    }

    [Fact]
    public void Provisioning_again_creates_nothing_and_overwrites_nothing()
    {
        var before = Token.ExportPublicKey(KeyRole.TlsIdentity);
        var results = KeyProvisioner.ProvisionMissing(Token, KeyRoles.Appliance);
        Assert.All(results, r => Assert.False(r.Created));
        Assert.Equal(before, Token.ExportPublicKey(KeyRole.TlsIdentity));
    }

    [Fact]
    public void A_wrong_pin_is_refused_once_with_a_clear_message_that_does_not_contain_it()
    {
        _ = Token; // loads the module with the shared configuration
        // A token of its own: a login is per token and per process, and the shared one is logged in.
        string state = Directory.CreateTempSubdirectory("conclave-pin-").FullName;
        DevelopmentToken.Initialize(state, "conclave-wrong-pin");
        var options = new TokenOptions { ModulePath = DevelopmentToken.SoftHsmModulePath, TokenLabel = "conclave-wrong-pin" };
        const string wrong = "definitely-not-the-pin";
        var refused = Assert.Throws<TokenException>(() => Token.Open(options, Encoding.UTF8.GetBytes(wrong)));
        Assert.Contains("wrong PIN", refused.Message);
        Assert.DoesNotContain(wrong, refused.Message);
        using var opened = Token.Open(options, TokenPin.Read(state, allowDevelopmentFile: true));
        Assert.Throws<TokenException>(() => Token.Open(options, TokenPin.Read(state, allowDevelopmentFile: true)));
    }

    [Fact]
    public void An_absent_token_is_named_in_the_error()
    {
        _ = Token;
        var options = new TokenOptions { ModulePath = DevelopmentToken.SoftHsmModulePath, TokenLabel = "no-such-token" };
        var refused = Assert.Throws<TokenException>(() => Token.Open(options, "1234"u8));
        Assert.Contains("no token labelled 'no-such-token'", refused.Message);
    }

    [Fact]
    public void A_pin_file_readable_by_others_is_refused()
    {
        string state = Directory.CreateTempSubdirectory("conclave-pin-").FullName;
        string pinFile = Path.Combine(state, DevelopmentToken.PinFileName);
        File.WriteAllText(pinFile, "123456");
        File.SetUnixFileMode(pinFile, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.OtherRead);
        var refused = Assert.Throws<TokenException>(() => TokenPin.Read(state, allowDevelopmentFile: true));
        Assert.Contains("mode 0600", refused.Message);
        Assert.Throws<TokenException>(() => TokenPin.Read(state, allowDevelopmentFile: false));
        Directory.Delete(state, recursive: true);
    }

    [Fact]
    public void Sixteen_threads_signing_and_unwrapping_for_ten_seconds_never_fail()
    {
        var wrapped = Token.WrapDataKey(RandomNumberGenerator.GetBytes(32));
        var stopwatch = Stopwatch.StartNew();
        long operations = 0;
        var errors = new System.Collections.Concurrent.ConcurrentBag<Exception>();
        var threads = Enumerable.Range(0, 16).Select(i => new Thread(() =>
        {
            var data = BitConverter.GetBytes(i);
            while (stopwatch.Elapsed < TimeSpan.FromSeconds(10))
            {
                try
                {
                    if (i % 2 == 0) Token.SignDer(KeyRole.CredentialCa, data);
                    else Token.UnwrapDataKey(wrapped);
                    Interlocked.Increment(ref operations);
                }
                catch (Exception e)
                {
                    errors.Add(e);
                    return;
                }
            }
        })).ToList();
        threads.ForEach(t => t.Start());
        threads.ForEach(t => t.Join());
        Assert.Empty(errors);
        Assert.True(operations > 100, $"only {operations} operations in 10 s");
    }
}
