using System.Security.Cryptography;
using Conclave.Media.Srtp;
using CsCheck;

namespace Conclave.Media.Tests.Srtp;

public class OpenSslAesGcmTests
{
    /// <summary>The GCM specification's test case 4 (McGrew and Viega, "The Galois/Counter Mode of Operation", appendix B): AES-128, 60-byte plaintext, 20 bytes of associated data.</summary>
    [Fact]
    public void Seals_the_gcm_specifications_test_case_4()
    {
        var key = Convert.FromHexString("feffe9928665731c6d6a8f9467308308");
        var iv = Convert.FromHexString("cafebabefacedbaddecaf888");
        var plaintext = Convert.FromHexString(
            "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
        var associatedData = Convert.FromHexString("feedfacedeadbeeffeedfacedeadbeefabaddad2");
        using var gcm = new OpenSslAesGcm(key);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[OpenSslAesGcm.TagBytes];

        gcm.Encrypt(iv, plaintext, ciphertext, tag, associatedData);

        Assert.Equal(
            "42831ec2217774244b7221b784d0d49ce3aa212f2c02a4e035c17e2329aca12e21d514b25466931c7d8f6a5aac84aa051ba30b396a0aac973d58e091",
            Convert.ToHexStringLower(ciphertext));
        Assert.Equal("5bc94fbc3221a5db94fae95ae7121a47", Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void Agrees_with_dotnets_AesGcm_both_ways_for_any_key_size_length_and_associated_data()
    {
        Gen.Select(Gen.Bool, Gen.Byte.Array[0, 1500], Gen.Byte.Array[0, 64]).Sample((aes256, plaintext, associatedData) =>
        {
            var key = RandomNumberGenerator.GetBytes(aes256 ? 32 : 16);
            var iv = RandomNumberGenerator.GetBytes(OpenSslAesGcm.IvBytes);
            using var ours = new OpenSslAesGcm(key);
            using var dotnet = new AesGcm(key, OpenSslAesGcm.TagBytes);
            var ciphertext = new byte[plaintext.Length];
            var tag = new byte[OpenSslAesGcm.TagBytes];
            ours.Encrypt(iv, plaintext, ciphertext, tag, associatedData);

            var opened = new byte[plaintext.Length];
            dotnet.Decrypt(iv, ciphertext, tag, opened, associatedData);
            Assert.Equal(plaintext, opened);

            dotnet.Encrypt(iv, plaintext, ciphertext, tag, associatedData);
            Assert.True(ours.TryDecrypt(iv, ciphertext, tag, opened, associatedData));
            Assert.Equal(plaintext, opened);
        }, iter: 200);
    }

    [Fact]
    public void A_changed_byte_anywhere_fails_to_open_and_leaves_no_plaintext_behind()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(OpenSslAesGcm.IvBytes);
        var plaintext = RandomNumberGenerator.GetBytes(100);
        var associatedData = RandomNumberGenerator.GetBytes(12);
        using var gcm = new OpenSslAesGcm(key);
        var ciphertext = new byte[plaintext.Length];
        var tag = new byte[OpenSslAesGcm.TagBytes];
        gcm.Encrypt(iv, plaintext, ciphertext, tag, associatedData);

        foreach (var damaged in new[] { ciphertext, tag, associatedData, iv })
        {
            damaged[^1] ^= 0x01;
            var opened = new byte[plaintext.Length];
            Assert.False(gcm.TryDecrypt(iv, ciphertext, tag, opened, associatedData));
            Assert.All(opened, b => Assert.Equal(0, b));
            damaged[^1] ^= 0x01;
        }
        Assert.True(gcm.TryDecrypt(iv, ciphertext, tag, new byte[plaintext.Length], associatedData));
    }

    [Fact]
    public void Seals_and_opens_in_place()
    {
        var key = RandomNumberGenerator.GetBytes(16);
        var iv = RandomNumberGenerator.GetBytes(OpenSslAesGcm.IvBytes);
        var plaintext = RandomNumberGenerator.GetBytes(1100);
        var buffer = plaintext.ToArray();
        var tag = new byte[OpenSslAesGcm.TagBytes];
        using var gcm = new OpenSslAesGcm(key);

        gcm.Encrypt(iv, buffer, buffer, tag, []);
        Assert.NotEqual(plaintext, buffer);
        Assert.True(gcm.TryDecrypt(iv, buffer, tag, buffer, []));
        Assert.Equal(plaintext, buffer);
    }

    [Fact]
    public void Refuses_wrong_lengths_and_use_after_dispose()
    {
        Assert.Throws<ArgumentException>(() => new OpenSslAesGcm(new byte[24]));
        var gcm = new OpenSslAesGcm(new byte[16]);
        Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[8], new byte[4], new byte[4], new byte[16], []));
        Assert.Throws<ArgumentException>(() => gcm.Encrypt(new byte[12], new byte[4], new byte[5], new byte[16], []));
        Assert.Throws<ArgumentException>(() => gcm.TryDecrypt(new byte[12], new byte[4], new byte[12], new byte[4], []));
        gcm.Dispose();
        Assert.Throws<ObjectDisposedException>(() => gcm.Encrypt(new byte[12], new byte[4], new byte[4], new byte[16], []));
    }
}
