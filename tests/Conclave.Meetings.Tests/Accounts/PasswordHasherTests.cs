using System.Diagnostics;
using Conclave.Meetings.Accounts;

namespace Conclave.Meetings.Tests.Accounts;

public sealed class PasswordHasherTests
{
    // Small costs keep the suite fast; Default is exercised once below.
    private static readonly Argon2Parameters Cheap = new(1024, 1, 1);
    private const string Password = "correct horse battery staple";

    [Fact]
    public void A_login_that_finds_every_hashing_slot_taken_is_told_the_appliance_is_busy()
    {
        var hasher = new PasswordHasher(Cheap, maxConcurrentHashes: 1, hashingWait: TimeSpan.FromMilliseconds(20));
        string stored = hasher.Hash(Password);
        using (hasher.Hashing.Enter()) // another login holds the only slot
        {
            var busy = Assert.Throws<DomainException>(() => hasher.Verify(Password, stored));
            Assert.Equal(DomainErrorKind.Unavailable, busy.Kind);
        }
        Assert.True(hasher.Verify(Password, stored), "once the slot is free, hashing goes on");
    }

    [Fact]
    public void Argon2id_matches_the_RFC_9106_section_5_3_test_vector()
    {
        var tag = PasswordHasher.Argon2idRaw(
            password: Filled(32, 0x01), salt: Filled(16, 0x02), secret: Filled(8, 0x03), associatedData: Filled(12, 0x04),
            new Argon2Parameters(32, 3, 4), tagBytes: 32);

        Assert.Equal("0d640df58d78766c08c037a34a8b53c9d01ef0452d75b65eb52520e96b01e659", Convert.ToHexStringLower(tag));
    }

    [Fact]
    public void A_hash_verifies_its_password_with_the_default_parameters()
    {
        var hasher = new PasswordHasher(Argon2Parameters.Default);
        var hash = hasher.Hash(Password);

        Assert.StartsWith("$argon2id$v=19$m=19456,t=2,p=1$", hash);
        Assert.True(hasher.Verify(Password, hash));
    }

    [Fact]
    public void A_hash_is_in_PHC_format_with_a_16_byte_salt_and_32_byte_tag()
    {
        var parts = new PasswordHasher(Cheap).Hash(Password).Split('$');

        Assert.Equal(new[] { "", "argon2id", "v=19", "m=1024,t=1,p=1" }, parts[..4]);
        Assert.Equal(22, parts[4].Length); // 16 bytes, base64 without padding
        Assert.Equal(43, parts[5].Length); // 32 bytes, base64 without padding
    }

    [Fact]
    public void A_wrong_password_does_not_verify()
    {
        var hasher = new PasswordHasher(Cheap);

        Assert.False(hasher.Verify("correct horse battery stapler", hasher.Hash(Password)));
    }

    [Fact]
    public void Two_hashes_of_one_password_differ_by_their_salt()
    {
        var hasher = new PasswordHasher(Cheap);
        var first = hasher.Hash(Password);
        var second = hasher.Hash(Password);

        Assert.NotEqual(first, second);
        Assert.True(hasher.Verify(Password, first));
        Assert.True(hasher.Verify(Password, second));
    }

    [Fact]
    public void Verify_uses_the_parameters_stored_in_the_hash()
    {
        var hash = new PasswordHasher(Cheap).Hash(Password);
        var stronger = new PasswordHasher(new Argon2Parameters(2048, 2, 2));

        Assert.True(stronger.Verify(Password, hash));
    }

    [Theory]
    [InlineData("")]
    [InlineData("$")]
    [InlineData("not a hash")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA")]
    [InlineData("$argon2id$v=19$m=1024,t=1,p=1$c2FsdHNhbHRzYWx0c2FsdA$$")]
    [InlineData("$argon2id$v=19$m=1024,t=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA")]
    public void A_malformed_stored_hash_does_not_verify(string stored)
    {
        var hasher = new PasswordHasher(Cheap);

        Assert.False(hasher.Verify(Password, stored));
        Assert.True(hasher.NeedsRehash(stored));
    }

    [Theory]
    [InlineData("$argon2id$", "$argon2i$")]
    [InlineData("$argon2id$", "$argon2d$")]
    [InlineData("v=19", "v=16")]
    [InlineData("m=1024", "m=999999999")]
    [InlineData("m=1024", "m=99999999999999999999")]
    [InlineData("m=1024", "m=-1024")]
    [InlineData("m=1024", "m=4")]
    [InlineData("t=1", "t=0")]
    [InlineData("p=1", "p=0")]
    [InlineData("p=1", "p=17")]
    [InlineData("m=1024,t=1,p=1", "t=1,m=1024,p=1")]
    [InlineData("m=1024,t=1,p=1", "m=1024,t=1,p=1,x=1")]
    public void A_tampered_header_does_not_verify(string original, string replacement)
    {
        var hasher = new PasswordHasher(Cheap);
        var stored = hasher.Hash(Password).Replace(original, replacement, StringComparison.Ordinal);

        Assert.False(hasher.Verify(Password, stored));
    }

    [Theory]
    [InlineData(4, "!!!!")] // not base64
    [InlineData(4, "AAAAA")] // a length no base64 text has
    [InlineData(4, "AAAAAAAAAA")] // 7 bytes: a salt too short for RFC 9106
    [InlineData(5, "AAAAAAAAAAAAAAAAAAAAAA")] // a 16-byte tag
    [InlineData(5, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=")] // padded
    [InlineData(5, "")]
    public void A_stored_hash_with_a_bad_salt_or_tag_does_not_verify(int part, string replacement)
    {
        var hasher = new PasswordHasher(Cheap);
        var parts = hasher.Hash(Password).Split('$');
        parts[part] = replacement;

        Assert.False(hasher.Verify(Password, string.Join('$', parts)));
    }

    [Fact]
    public void NeedsRehash_is_true_only_when_the_stored_parameters_differ_from_the_current_ones()
    {
        var hash = new PasswordHasher(Cheap).Hash(Password);

        Assert.False(new PasswordHasher(new Argon2Parameters(1024, 1, 1)).NeedsRehash(hash));
        Assert.True(new PasswordHasher(new Argon2Parameters(2048, 1, 1)).NeedsRehash(hash));
        Assert.True(new PasswordHasher(new Argon2Parameters(1024, 2, 1)).NeedsRehash(hash));
        Assert.True(new PasswordHasher(new Argon2Parameters(1024, 1, 2)).NeedsRehash(hash));
    }

    [Fact]
    public void Hash_refuses_passwords_outside_the_length_limits()
    {
        var hasher = new PasswordHasher(Cheap);

        Assert.Throws<ArgumentException>(() => hasher.Hash(new string('a', PasswordHasher.MinPasswordLength - 1)));
        Assert.Throws<ArgumentException>(() => hasher.Hash(new string('a', PasswordHasher.MaxPasswordLength + 1)));
        Assert.True(hasher.Verify(new string('a', PasswordHasher.MinPasswordLength), hasher.Hash(new string('a', PasswordHasher.MinPasswordLength))));
        Assert.True(hasher.Verify(new string('a', PasswordHasher.MaxPasswordLength), hasher.Hash(new string('a', PasswordHasher.MaxPasswordLength))));
    }

    [Fact]
    public void A_one_megabyte_password_is_refused_without_hashing()
    {
        // Costs that would take seconds and a GiB if the password were hashed.
        var costly = "$argon2id$v=19$m=1048576,t=10,p=1$c2FsdHNhbHRzYWx0c2FsdA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";
        var hasher = new PasswordHasher(Cheap);
        var elapsed = Stopwatch.StartNew();

        Assert.False(hasher.Verify(new string('a', 1024 * 1024), costly));
        Assert.True(elapsed.Elapsed < TimeSpan.FromSeconds(1), $"took {elapsed.Elapsed}");
    }

    [Theory]
    [InlineData(7, 1, 1)]
    [InlineData(31, 1, 4)]
    [InlineData(1024, 0, 1)]
    [InlineData(1024, 1, 0)]
    [InlineData(1024, 1, 17)]
    [InlineData(Argon2Parameters.MaxMemoryKiB + 1, 1, 1)]
    public void Argon2Parameters_refuses_values_outside_RFC_9106_and_our_limits(int memoryKiB, int iterations, int parallelism)
    {
        Assert.Throws<ArgumentException>(() => new Argon2Parameters(memoryKiB, iterations, parallelism));
    }

    private static byte[] Filled(int length, byte value) => Enumerable.Repeat(value, length).ToArray();
}
