using System.Security.Cryptography;
using System.Text;
using Conclave.Meetings.Accounts;
using Conclave.Meetings.Admission;
using Conclave.Meetings.Scheduling;
using Conclave.Web.E2ee;
using Conclave.Web.Ports;

namespace Conclave.Web.Tests.E2ee;

public sealed class ConclaveCredentialTests
{
    private static readonly byte[] KeyDigest = Enumerable.Repeat((byte)0x11, 32).ToArray();

    private static CredentialBody Body(string displayName = "Ada", AttendeeKind kind = AttendeeKind.Host) =>
        new("m1", "ab12", "account:7", displayName, kind, 0x0102030405060708, KeyDigest);

    [Fact]
    public void A_body_is_version_four_length_prefixed_strings_kind_big_endian_expiry_and_the_key_digest()
    {
        byte[] expected =
        [
            0x01,
            0x02, .. "m1"u8,
            0x04, .. "ab12"u8,
            0x09, .. "account:7"u8,
            0x03, .. "Ada"u8,
            0x01,
            0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08,
            .. KeyDigest,
        ];
        Assert.Equal(expected, ConclaveCredential.EncodeBody(Body()));
    }

    [Theory]
    [InlineData(63, "3F")]
    [InlineData(64, "4040")]
    [InlineData(300, "412C")]
    [InlineData(16383, "7FFF")]
    [InlineData(16384, "80004000")]
    public void A_vector_length_is_the_shortest_rfc_9420_varint(int length, string prefixHex)
    {
        byte[] body = ConclaveCredential.EncodeBody(Body(displayName: new string('n', length)));
        int displayNameAt = 1 + 3 + 5 + 10;
        Assert.Equal(prefixHex, Convert.ToHexString(body, displayNameAt, prefixHex.Length / 2));
        Assert.Equal(displayNameAt + prefixHex.Length / 2 + length + 1 + 8 + 32, body.Length);
    }

    [Fact]
    public void A_display_name_is_its_utf8_bytes()
    {
        byte[] body = ConclaveCredential.EncodeBody(Body(displayName: "Zoë"));
        Assert.Equal([0x04, .. Encoding.UTF8.GetBytes("Zoë")], body[19..24]);
    }

    [Fact]
    public void A_digest_that_is_not_32_bytes_is_refused() =>
        Assert.Throws<ArgumentException>(() => ConclaveCredential.EncodeBody(Body() with { SignatureKeySha256 = new byte[31] }));

    [Fact]
    public void The_issued_credential_is_the_body_then_a_64_byte_p1363_signature_over_the_label_and_body_that_the_ca_key_verifies()
    {
        using var ca = new InProcessCredentialSigner();
        var issued = ConclaveCredential.Sign(Body(), ca);

        byte[] body = ConclaveCredential.EncodeBody(Body());
        Assert.Equal(body, issued.Credential[..body.Length]);
        Assert.Equal(new byte[] { 0x40, 0x40 }, issued.Credential[body.Length..(body.Length + 2)]);
        byte[] signature = issued.Credential[(body.Length + 2)..];
        Assert.Equal(64, signature.Length);
        using var verifier = ECDsa.Create();
        verifier.ImportSubjectPublicKeyInfo(issued.CaPublicKeySpki, out _);
        Assert.True(verifier.VerifyData((byte[])[.. "Conclave credential v1"u8, .. body], signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
        Assert.False(verifier.VerifyData(body, signature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation));
    }

    [Fact]
    public void The_host_is_the_meetings_host_account_a_roster_member_is_a_member_and_an_invited_guest_is_a_guest()
    {
        var meeting = new Meeting("m1", "Weekly", 7, DateTimeOffset.UnixEpoch, DateTimeOffset.UnixEpoch.AddHours(1), false, false, null, DateTimeOffset.UnixEpoch);
        Assert.Equal(AttendeeKind.Host, AttendeeKinds.Of(new MemberAttendee(Account(7, Role.Host)), meeting));
        Assert.Equal(AttendeeKind.Member, AttendeeKinds.Of(new MemberAttendee(Account(8, Role.Admin | Role.Host)), meeting));
        var invitation = new Invitation("i1", "m1", [], "Guest", DateTimeOffset.UnixEpoch, null, 0, InvitationState.Redeemed, null, DateTimeOffset.UnixEpoch);
        Assert.Equal(AttendeeKind.Guest, AttendeeKinds.Of(new GuestAttendee(invitation), meeting));
    }

    private static Account Account(long id, Role roles) =>
        new(id, $"user{id}", $"User {id}", roles, false, "$argon2id$unused", null, null, 0, 0, null, null, DateTimeOffset.UnixEpoch);

    /// <summary>A credential CA in this process, in place of the token's.</summary>
    private sealed class InProcessCredentialSigner : ICredentialSigner, IDisposable
    {
        private readonly ECDsa _key = ECDsa.Create(ECCurve.NamedCurves.nistP256);

        public byte[] SignP1363(ReadOnlySpan<byte> data) => _key.SignData(data, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);

        public byte[] CaPublicKeySpki() => _key.ExportSubjectPublicKeyInfo();

        public void Dispose() => _key.Dispose();
    }
}
