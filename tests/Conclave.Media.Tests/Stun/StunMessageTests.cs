using System.Net;
using System.Text;
using Conclave.Media.Stun;
using CsCheck;

namespace Conclave.Media.Tests.Stun;

public sealed class StunMessageTests
{
    private static readonly byte[] Key = Encoding.UTF8.GetBytes(Rfc5769Vectors.Password);

    [Fact]
    public void Rfc5769_section_2_1_sample_request_parses_and_verifies()
    {
        Assert.True(StunMessage.TryParse(Rfc5769Vectors.Request, out var message));
        Assert.Equal(StunMessageType.BindingRequest, message.MessageType);
        Assert.Equal(Rfc5769Vectors.TransactionId, message.TransactionId.ToArray());
        Assert.True(message.TryGetAttribute(StunAttributeType.Username, out var username));
        Assert.Equal(Rfc5769Vectors.Username, Encoding.UTF8.GetString(username));
        Assert.True(message.TryGetAttribute(StunAttributeType.Software, out var software));
        Assert.Equal("STUN test client", Encoding.UTF8.GetString(software));
        Assert.True(message.TryGetAttribute(StunAttributeType.IceControlled, out _));
        Assert.True(message.VerifyMessageIntegrity(Key));
        Assert.True(message.VerifyFingerprint());
        Assert.False(message.VerifyMessageIntegrity("wrong"u8));
    }

    [Theory]
    [InlineData(false, "192.0.2.1")]
    [InlineData(true, "2001:db8:1234:5678:11:2233:4455:6677")]
    public void Rfc5769_sections_2_2_and_2_3_responses_verify_and_carry_the_mapped_address(bool ipv6, string address)
    {
        var vector = ipv6 ? Rfc5769Vectors.Ipv6Response : Rfc5769Vectors.Ipv4Response;
        Assert.True(StunMessage.TryParse(vector, out var message));
        Assert.Equal(StunMessageType.BindingSuccessResponse, message.MessageType);
        Assert.True(message.VerifyMessageIntegrity(Key));
        Assert.True(message.VerifyFingerprint());
        Assert.True(message.TryGetAttribute(StunAttributeType.XorMappedAddress, out var xor));
        Assert.Equal(new IPEndPoint(IPAddress.Parse(address), 32853), StunTestPeer.DecodeXorMappedAddress(xor, message.TransactionId));
    }

    [Theory]
    [InlineData(false, "192.0.2.1")]
    [InlineData(true, "2001:db8:1234:5678:11:2233:4455:6677")]
    public void The_writer_reproduces_the_rfc5769_responses_byte_for_byte(bool ipv6, string address)
    {
        var buffer = new byte[128];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingSuccessResponse, Rfc5769Vectors.TransactionId);
        // The RFC pads SOFTWARE with a space (0x20), which §15 allows: any padding value.
        writer.WriteAttribute(StunAttributeType.Software, "test vector"u8);
        writer.WriteXorMappedAddress(new IPEndPoint(IPAddress.Parse(address), 32853).Serialize());
        int softwarePadding = 20 + 4 + 11;
        buffer[softwarePadding] = 0x20;
        writer.WriteMessageIntegrity(Key);
        writer.WriteFingerprint();

        Assert.False(writer.Overflowed);
        Assert.Equal(ipv6 ? Rfc5769Vectors.Ipv6Response : Rfc5769Vectors.Ipv4Response, buffer.AsSpan(0, writer.Length).ToArray());
    }

    [Fact]
    public void Any_flipped_bit_of_a_signed_message_fails_integrity_or_fingerprint_or_parsing()
    {
        for (int bit = 0; bit < Rfc5769Vectors.Request.Length * 8; bit++)
        {
            var copy = (byte[])Rfc5769Vectors.Request.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            bool accepted = StunMessage.TryParse(copy, out var message) && message.VerifyFingerprint() && message.VerifyMessageIntegrity(Key)
                && message.TryGetAttribute(StunAttributeType.Username, out var user) && user.SequenceEqual(Encoding.UTF8.GetBytes(Rfc5769Vectors.Username));
            // Flipping a padding byte of USERNAME changes neither the value nor… the HMAC covers padding too.
            Assert.False(accepted, $"bit {bit} flipped and the message still verified");
        }
    }

    [Fact]
    public void Truncations_and_random_bytes_never_throw_and_never_mutate_input()
    {
        for (int length = 0; length < Rfc5769Vectors.Request.Length; length++)
        {
            var prefix = Rfc5769Vectors.Request[..length];
            if (StunMessage.TryParse(prefix, out var message))
            {
                _ = message.VerifyFingerprint();
                _ = message.VerifyMessageIntegrity(Key);
            }
        }
        Gen.Byte.Array[0, 200].Sample(bytes =>
        {
            var before = (byte[])bytes.Clone();
            if (bytes.Length >= 8)
            {
                // Give a good share of samples the magic cookie so attribute walking is exercised.
                bytes[4] = 0x21; bytes[5] = 0x12; bytes[6] = 0xA4; bytes[7] = 0x42;
                before = (byte[])bytes.Clone();
            }
            if (StunMessage.TryParse(bytes, out var message))
            {
                _ = message.TryGetAttribute(StunAttributeType.Username, out _);
                _ = message.VerifyFingerprint();
                _ = message.VerifyMessageIntegrity(Key);
            }
            Assert.Equal(before, bytes);
        }, iter: 5000);
    }

    [Fact]
    public void Written_messages_parse_back_with_the_same_attributes()
    {
        // Any comprehension-optional type but FINGERPRINT, which must come last (RFC 5389 §15.5).
        var types = Gen.UShort[0x8000, 0xBFFF].Where(t => t != StunAttributeType.Fingerprint);
        Gen.Select(Gen.Byte.Array[0, 64], Gen.Byte.Array[1, 32], types).Sample((value, key, type) =>
        {
            var buffer = new byte[256];
            var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, new byte[12]);
            writer.WriteAttribute(type, value);
            writer.WriteMessageIntegrity(key);
            writer.WriteFingerprint();
            Assert.False(writer.Overflowed);
            Assert.True(StunMessage.TryParse(buffer.AsSpan(0, writer.Length), out var message));
            Assert.True(message.TryGetAttribute(type, out var read));
            Assert.Equal(value, read.ToArray());
            Assert.True(message.VerifyMessageIntegrity(key));
            Assert.True(message.VerifyFingerprint());
        }, iter: 500);
    }

    [Fact]
    public void A_buffer_too_small_overflows_instead_of_throwing()
    {
        var buffer = new byte[30];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, new byte[12]);
        writer.WriteAttribute(StunAttributeType.Software, new byte[40]);
        writer.WriteFingerprint();
        Assert.True(writer.Overflowed);
    }
}
