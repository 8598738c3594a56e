using System.Security.Cryptography;
using System.Text;
using Conclave.Crypto.Escrow;
using Conclave.Crypto.Hpke;

namespace Conclave.Crypto.Tests.Escrow;

public sealed class EscrowFormatTests
{
    [Fact]
    public void An_escrowed_epoch_is_laid_out_field_by_field_with_varint_lengths()
    {
        var signatureKey = new SoftwareHpkeRecipient().PublicKey;
        var epoch = new EscrowedEpoch(EscrowSamples.RecordingId, [0xAA, 0xBB], 0x0102030405060708, Enumerable.Repeat((byte)0x5E, 16).ToArray(), [],
            [0xE1, 0xE2, 0xE3], 3, [new RosterEntry(2, new byte[70], signatureKey)]);

        var expected = Convert.FromHexString(
            "01" + "00112233445566778899AABBCCDDEEFF" + "02AABB" + "0102030405060708" + "5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E5E" + "00" + "03E1E2E3"
            + "00000003" + "408F" + "00000002" + "4046" + new string('0', 140) + "4041" + Convert.ToHexString(signatureKey));

        Assert.Equal(expected, epoch.Write());
    }

    [Fact]
    public void An_escrowed_epoch_parses_back_to_its_fields_with_the_roster_in_leaf_order()
    {
        var epoch = EscrowSamples.Epoch();
        var shuffled = epoch with { Roster = [epoch.Roster[1], epoch.Roster[0]] };

        var bytes = shuffled.Write();

        Assert.Equal(epoch.Write(), bytes);
        Assert.True(EscrowedEpoch.TryParse(bytes, out var parsed));
        EscrowSamples.AssertSame(epoch, parsed);
    }

    [Fact]
    public void An_escrowed_epoch_without_a_data_key_or_roster_round_trips()
    {
        var epoch = EscrowSamples.Epoch(ulong.MaxValue, withDataKey: false) with { Roster = [], LeafCount = 0 };
        Assert.True(EscrowedEpoch.TryParse(epoch.Write(), out var parsed));
        EscrowSamples.AssertSame(epoch, parsed);
    }

    [Fact]
    public void Every_truncation_and_any_trailing_byte_of_an_escrowed_epoch_is_refused()
    {
        var bytes = EscrowSamples.Epoch().Write();
        for (int length = 0; length < bytes.Length; length++) Assert.False(EscrowedEpoch.TryParse(bytes.AsSpan(0, length), out _), $"{length} of {bytes.Length} bytes");
        Assert.False(EscrowedEpoch.TryParse([.. bytes, 0], out _));
    }

    public static TheoryData<string, byte[]> MalformedEscrowedEpochs()
    {
        var key = new SoftwareHpkeRecipient().PublicKey;
        string Head(string dataKey = "00", string leafCount = "00000003") =>
            "01" + "00112233445566778899AABBCCDDEEFF" + "00" + "0000000000000001" + new string('1', 32) + dataKey + "00" + leafCount;
        string Entry(string leaf, string signatureKey) => leaf + "00" + signatureKey;
        string Roster(params string[] entries)
        {
            string body = string.Concat(entries);
            return (body.Length / 2 < 64 ? (body.Length / 2).ToString("X2") : (0x4000 | body.Length / 2).ToString("X4")) + body;
        }
        string good = "4041" + Convert.ToHexString(key);
        return new TheoryData<string, byte[]>
        {
            { "version 2", Convert.FromHexString("02" + Head()[2..] + "00") },
            { "an 8-byte data key", Convert.FromHexString(Head(dataKey: "08" + new string('2', 16)) + "00") },
            { "a roster leaf not below the leaf count", Convert.FromHexString(Head() + Roster(Entry("00000003", good))) },
            { "a roster leaf twice", Convert.FromHexString(Head() + Roster(Entry("00000001", good), Entry("00000001", good))) },
            { "roster leaves out of order", Convert.FromHexString(Head() + Roster(Entry("00000002", good), Entry("00000001", good))) },
            { "a 64-byte signature key", Convert.FromHexString(Head() + Roster(Entry("00000001", "4040" + Convert.ToHexString(key[1..])))) },
            { "a length in a longer form than needed", Convert.FromHexString(Head() + "4000") },
            { "the reserved varint form 0b11", Convert.FromHexString(Head() + "C0000000") },
        };
    }

    [Theory]
    [MemberData(nameof(MalformedEscrowedEpochs))]
    public void A_malformed_escrowed_epoch_is_refused(string what, byte[] bytes)
    {
        Assert.False(EscrowedEpoch.TryParse(bytes, out _), what);
    }

    [Fact]
    public void Writing_an_escrowed_epoch_refuses_what_reading_would_refuse()
    {
        var epoch = EscrowSamples.Epoch();
        Assert.Throws<ArgumentException>(() => (epoch with { RecordingId = new byte[15] }).Write());
        Assert.Throws<ArgumentException>(() => (epoch with { SFrameEpochSecret = new byte[32] }).Write());
        Assert.Throws<ArgumentException>(() => (epoch with { DataKey = new byte[8] }).Write());
        Assert.Throws<ArgumentException>(() => (epoch with { LeafCount = 4 }).Write());
        Assert.Throws<ArgumentException>(() => (epoch with { Roster = [epoch.Roster[0], epoch.Roster[0]] }).Write());
        Assert.Throws<ArgumentException>(() => (epoch with { Roster = [epoch.Roster[0] with { SignatureKey = new byte[33] }] }).Write());
    }

    [Fact]
    public void A_recording_extension_is_laid_out_field_by_field_and_parses_back()
    {
        using var key = new SoftwareHpkeRecipient();
        var spki = key.SubjectPublicKeyInfo;
        var extension = new RecordingExtension(EscrowSamples.RecordingId, RecordingScope.MediaAndChat, [spki], "Ada");

        var bytes = extension.Write();

        Assert.Equal(Convert.FromHexString("01" + "00112233445566778899AABBCCDDEEFF" + "02" + "405D" + "405B" + Convert.ToHexString(spki) + "03416461"), bytes);
        Assert.True(RecordingExtension.TryParse(bytes, out var parsed));
        Assert.Equal(EscrowSamples.RecordingId, parsed.RecordingId);
        Assert.Equal(RecordingScope.MediaAndChat, parsed.Scope);
        Assert.Equal(spki, Assert.Single(parsed.EscrowKeys));
        Assert.Equal("Ada", parsed.StartedBy);
        Assert.Equal(0xF0A1, RecordingExtension.ExtensionType);
    }

    [Fact]
    public void A_recording_extension_with_two_keys_and_a_non_ASCII_name_round_trips()
    {
        using var first = new SoftwareHpkeRecipient();
        using var second = new SoftwareHpkeRecipient();
        var extension = new RecordingExtension(EscrowSamples.RecordingId, RecordingScope.Media, [first.SubjectPublicKeyInfo, second.SubjectPublicKeyInfo], "Zoë Ångström 張");

        Assert.True(RecordingExtension.TryParse(extension.Write(), out var parsed));
        Assert.Equal(RecordingScope.Media, parsed.Scope);
        Assert.Equal([first.SubjectPublicKeyInfo, second.SubjectPublicKeyInfo], parsed.EscrowKeys);
        Assert.Equal("Zoë Ångström 張", parsed.StartedBy);
    }

    [Fact]
    public void A_stopped_recording_is_scope_0_with_no_escrow_key_and_neither_half_goes_without_the_other()
    {
        using var key = new SoftwareHpkeRecipient();
        var stopped = new RecordingExtension(EscrowSamples.RecordingId, RecordingScope.Stopped, [], "").Write();

        Assert.Equal(Convert.FromHexString("01" + "00112233445566778899AABBCCDDEEFF" + "000000"), stopped);
        Assert.True(RecordingExtension.TryParse(stopped, out var parsed));
        Assert.Equal(RecordingScope.Stopped, parsed.Scope);
        Assert.Empty(parsed.EscrowKeys);
        Assert.Throws<ArgumentException>(() => new RecordingExtension(EscrowSamples.RecordingId, RecordingScope.Stopped, [key.SubjectPublicKeyInfo], "").Write());
        Assert.Throws<ArgumentException>(() => new RecordingExtension(EscrowSamples.RecordingId, RecordingScope.Media, [], "Ada").Write());
        Assert.False(RecordingExtension.TryParse([.. stopped[..17], (byte)RecordingScope.Media, .. stopped[18..]], out _));
    }

    [Fact]
    public void A_malformed_recording_extension_is_refused()
    {
        using var key = new SoftwareHpkeRecipient();
        var bytes = new RecordingExtension(EscrowSamples.RecordingId, RecordingScope.Media, [key.SubjectPublicKeyInfo], "Ada").Write();
        for (int length = 0; length < bytes.Length; length++) Assert.False(RecordingExtension.TryParse(bytes.AsSpan(0, length), out _), $"{length} of {bytes.Length} bytes");
        Assert.False(RecordingExtension.TryParse([.. bytes, 0], out _));
        Assert.False(RecordingExtension.TryParse([0x02, .. bytes[1..]], out _));
        Assert.False(RecordingExtension.TryParse([.. bytes[..17], 0x03, .. bytes[18..]], out _));
        Assert.False(RecordingExtension.TryParse([.. bytes[..17], 0x00, .. bytes[18..]], out _));
        Assert.False(RecordingExtension.TryParse([.. bytes[..^3], 0xC3, 0x28, 0x41], out _));
        Assert.Throws<ArgumentException>(() => new RecordingExtension(EscrowSamples.RecordingId, (RecordingScope)3, [], "Ada").Write());
    }

    [Fact]
    public void An_escrow_blob_is_laid_out_field_by_field_and_parses_back()
    {
        using var key = new SoftwareHpkeRecipient();
        var keyId = SHA256.HashData(Encoding.ASCII.GetBytes("key"));
        var blob = new EscrowBlob(EscrowSamples.RecordingId, 7, 3, keyId, key.PublicKey, [0xC1, 0xC2]);

        var bytes = blob.Write();

        Assert.Equal(Convert.FromHexString("01" + "00112233445566778899AABBCCDDEEFF" + "0000000000000007" + "00000003" + Convert.ToHexString(keyId)
            + Convert.ToHexString(key.PublicKey) + "02C1C2"), bytes);
        Assert.True(EscrowBlob.TryParse(bytes, out var parsed));
        Assert.Equal(blob.RecordingId, parsed.RecordingId);
        Assert.Equal(7UL, parsed.Epoch);
        Assert.Equal(3U, parsed.SealerLeaf);
        Assert.Equal(keyId, parsed.EscrowKeyId);
        Assert.Equal(key.PublicKey, parsed.Enc);
        Assert.Equal([0xC1, 0xC2], parsed.Ciphertext);
        for (int length = 0; length < bytes.Length; length++) Assert.False(EscrowBlob.TryParse(bytes.AsSpan(0, length), out _), $"{length} of {bytes.Length} bytes");
        Assert.False(EscrowBlob.TryParse([.. bytes, 0], out _));
        Assert.False(EscrowBlob.TryParse([0x02, .. bytes[1..]], out _));
        Assert.Throws<ArgumentException>(() => (blob with { Enc = key.PublicKey[..33] }).Write());
        Assert.Throws<ArgumentException>(() => (blob with { EscrowKeyId = keyId[..16] }).Write());
    }

    [Fact]
    public void An_escrow_key_id_is_the_SHA256_of_the_SPKI_shown_as_its_first_16_hex_digits_in_four_groups()
    {
        using var key = new SoftwareHpkeRecipient();
        Assert.Equal(SHA256.HashData(key.SubjectPublicKeyInfo), EscrowKeyId.Of(key.SubjectPublicKeyInfo));

        var id = Convert.FromHexString("3F2A91C077D10B4E" + new string('F', 48));
        Assert.Equal("3F2A 91C0 77D1 0B4E", EscrowKeyId.Display(id));
        Assert.Throws<ArgumentException>(() => EscrowKeyId.Display(id[..8]));
    }
}
