using System.Security.Cryptography;
using Conclave.Crypto.SFrame;

namespace Conclave.Crypto.Tests.SFrame;

public sealed class SFrameKeyTests
{
    /// <summary>RFC 9605 C.3, the case for cipher suite 0x0004 (AES_128_GCM_SHA256_128).</summary>
    private static readonly Dictionary<string, string> C3 =
        VectorFiles.Rfc9605AppendixC().Single(block => block.TryGetValue("cipher_suite", out var suite) && suite == "0x0004");

    private static byte[] Hex(string name) => Convert.FromHexString(C3[name]);

    private static ulong Kid => VectorFiles.Number(C3["kid"]);

    private static ulong Ctr => VectorFiles.Number(C3["ctr"]);

    [Fact]
    public void The_key_schedule_gives_the_RFC_9605_C3_labels_secret_key_and_salt()
    {
        var keyLabel = new byte[SFrameKeySchedule.KeyLabelBytes];
        SFrameKeySchedule.WriteKeyLabel(Kid, keyLabel);
        Assert.Equal(Hex("sframe_key_label"), keyLabel);
        var saltLabel = new byte[SFrameKeySchedule.SaltLabelBytes];
        SFrameKeySchedule.WriteSaltLabel(Kid, saltLabel);
        Assert.Equal(Hex("sframe_salt_label"), saltLabel);
        var secret = new byte[SFrameKeySchedule.SecretBytes];
        SFrameKeySchedule.ExtractSecret(Hex("base_key"), secret);
        Assert.Equal(Hex("sframe_secret"), secret);
        var key = new byte[SFrameKeySchedule.KeyBytes];
        var salt = new byte[SFrameKeySchedule.SaltBytes];
        SFrameKeySchedule.DeriveKeyAndSalt(Hex("base_key"), Kid, key, salt);
        Assert.Equal(Hex("sframe_key"), key);
        Assert.Equal(Hex("sframe_salt"), salt);
    }

    [Fact]
    public void The_RFC_9605_C3_nonce_and_aad_give_its_ciphertext_under_AES_128_GCM()
    {
        var salt = Hex("sframe_salt");
        var ctr = new byte[salt.Length];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(ctr.AsSpan(4), Ctr);
        var nonce = new byte[salt.Length];
        for (int i = 0; i < nonce.Length; i++) nonce[i] = (byte)(salt[i] ^ ctr[i]);
        Assert.Equal(Hex("nonce"), nonce);
        var header = new byte[SFrameHeader.MaxByteLength];
        int headerLength = new SFrameHeader(Kid, Ctr).Write(header);
        Assert.Equal(Hex("aad"), (byte[])[.. header.AsSpan(0, headerLength), .. Hex("metadata")]);

        var pt = Hex("pt");
        var ciphertext = new byte[pt.Length];
        var tag = new byte[SFrameKey.TagBytes];
        using var gcm = new AesGcm(Hex("sframe_key"), SFrameKey.TagBytes);
        gcm.Encrypt(nonce, pt, ciphertext, tag, Hex("aad"));
        Assert.Equal(Hex("ct"), (byte[])[.. header.AsSpan(0, headerLength), .. ciphertext, .. tag]);
    }

    [Fact]
    public void Sealing_the_RFC_9605_C3_plaintext_gives_its_ct()
    {
        using var key = SFrameKey.FromBaseKey(Hex("base_key"), Kid);
        var pt = Hex("pt");
        var sealedFrame = new byte[key.SealedLength(Ctr, pt.Length)];
        Assert.Equal(sealedFrame.Length, key.Seal(Ctr, Hex("metadata"), pt, sealedFrame));
        Assert.Equal(Hex("ct"), sealedFrame);
    }

    [Fact]
    public void Opening_the_RFC_9605_C3_ct_gives_its_pt()
    {
        using var key = SFrameKey.FromBaseKey(Hex("base_key"), Kid);
        var ct = Hex("ct");
        var plaintext = new byte[ct.Length];
        Assert.True(key.TryOpen(ct, Hex("metadata"), plaintext, out int length));
        Assert.Equal(Hex("pt"), plaintext[..length]);
        Assert.Equal(Hex("pt"), key.Open(ct, Hex("metadata")));
    }

    [Fact]
    public void A_ciphertext_with_any_byte_changed_does_not_open()
    {
        using var key = SFrameKey.FromBaseKey(Hex("base_key"), Kid);
        var ct = Hex("ct");
        var plaintext = new byte[ct.Length];
        for (int i = 0; i < ct.Length; i++)
        {
            var tampered = (byte[])ct.Clone();
            tampered[i] ^= 0x01;
            Assert.False(key.TryOpen(tampered, Hex("metadata"), plaintext, out _));
        }
    }

    [Fact]
    public void A_ciphertext_does_not_open_with_other_metadata()
    {
        using var key = SFrameKey.FromBaseKey(Hex("base_key"), Kid);
        var metadata = Hex("metadata");
        metadata[^1] ^= 0x80;
        Assert.Null(key.Open(Hex("ct"), metadata));
        Assert.Null(key.Open(Hex("ct"), []));
    }

    [Fact]
    public void A_ciphertext_under_another_kid_is_not_opened_by_this_key()
    {
        using var other = SFrameKey.FromBaseKey(Hex("base_key"), Kid + 1);
        Assert.Null(other.Open(Hex("ct"), Hex("metadata")));
    }

    [Fact]
    public void A_ciphertext_shorter_than_its_header_and_tag_does_not_open()
    {
        using var key = SFrameKey.FromBaseKey(Hex("base_key"), Kid);
        var ct = Hex("ct");
        int headerLength = new SFrameHeader(Kid, Ctr).ByteLength;
        for (int length = 0; length < headerLength + SFrameKey.TagBytes; length++) Assert.Null(key.Open(ct.AsSpan(0, length), Hex("metadata")));
    }

    [Fact]
    public void An_empty_plaintext_seals_to_header_and_tag_and_opens_empty()
    {
        using var key = SFrameKey.FromBaseKey(RandomNumberGenerator.GetBytes(16), 7);
        var sealedFrame = new byte[key.SealedLength(0, 0)];
        Assert.Equal(1 + SFrameKey.TagBytes, key.Seal(0, [], [], sealedFrame));
        Assert.Equal([], key.Open(sealedFrame, []) ?? [0xFF]);
    }

    [Fact]
    public void Metadata_longer_than_the_stack_buffer_is_authenticated_too()
    {
        using var key = SFrameKey.FromBaseKey(RandomNumberGenerator.GetBytes(16), 0x1234);
        var metadata = RandomNumberGenerator.GetBytes(1000);
        var plaintext = RandomNumberGenerator.GetBytes(300);
        var sealedFrame = new byte[key.SealedLength(9, plaintext.Length)];
        key.Seal(9, metadata, plaintext, sealedFrame);
        Assert.Equal(plaintext, key.Open(sealedFrame, metadata));
        metadata[999] ^= 1;
        Assert.Null(key.Open(sealedFrame, metadata));
    }

    [Fact]
    public void The_last_counter_value_is_refused_so_a_counter_never_wraps()
    {
        using var key = SFrameKey.FromBaseKey(RandomNumberGenerator.GetBytes(16), 1);
        var destination = new byte[64];
        Assert.Throws<InvalidOperationException>(() => key.Seal(ulong.MaxValue, [], [1, 2, 3], destination));
        Assert.Equal(key.SealedLength(ulong.MaxValue - 1, 3), key.Seal(ulong.MaxValue - 1, [], [1, 2, 3], destination));
    }

    [Fact]
    public void A_destination_too_small_for_the_ciphertext_is_an_error()
    {
        using var key = SFrameKey.FromBaseKey(RandomNumberGenerator.GetBytes(16), 1);
        Assert.Throws<ArgumentException>(() => key.Seal(0, [], new byte[10], new byte[key.SealedLength(0, 10) - 1]));
    }
}
