using System.Text;
using Conclave.Web.Ports;
using Conclave.Crypto.Mls;

namespace Conclave.Web.E2ee;

/// <summary>
/// What a ConclaveCredential's body says (docs/signalling.md, "Credential"): the identity
/// bytes of a leaf's MLS basic credential (RFC 9420 §5.3), which members check before
/// accepting the leaf.
/// </summary>
/// <param name="MeetingId">The room id, as in /m/{id}.</param>
/// <param name="ParticipantId">The signalling participantId.</param>
/// <param name="AttendeeKey">"account:&lt;id&gt;" or "invitation:&lt;id&gt;".</param>
/// <param name="SignatureKeySha256">SHA-256 of the leaf's MLS signature public key (32 bytes).</param>
public sealed record CredentialBody(string MeetingId, string ParticipantId, string AttendeeKey, string DisplayName, AttendeeKind Kind,
    ulong NotAfterUnixSeconds, byte[] SignatureKeySha256);

/// <summary>A signed ConclaveCredential and the CA key that verifies it, as <c>joined</c> carries them.</summary>
/// <param name="CaPublicKeySpki">The credential CA's SubjectPublicKeyInfo (DER).</param>
/// <param name="Kind">The kind it states, which others see (a host may take over a screen share, docs/content-sharing.md).</param>
public sealed record IssuedCredential(byte[] Credential, byte[] CaPublicKeySpki, AttendeeKind Kind);

/// <summary>
/// The ConclaveCredential wire format, version 1:
/// <code>
/// struct { uint8 version = 1; opaque meeting_id&lt;V&gt;; opaque participant_id&lt;V&gt;; opaque attendee_key&lt;V&gt;;
///          opaque display_name&lt;V&gt;; uint8 kind; uint64 not_after; opaque signature_key_sha256[32]; } CredentialBody;
/// struct { CredentialBody body; opaque ca_signature&lt;V&gt;; } ConclaveCredential;
/// </code>
/// The CA signs <see cref="SignatureLabel"/> ‖ body, so the signature cannot be replayed as
/// one over anything else the credential CA signs (certificates, RFC 5280).
/// </summary>
public static class ConclaveCredential
{
    public const byte Version = 1;

    /// <summary>Prefixed (ASCII, no terminator) to the body before the CA signs it.</summary>
    public const string SignatureLabel = "Conclave credential v1";

    public static byte[] EncodeBody(CredentialBody body)
    {
        if (body.SignatureKeySha256.Length != 32) throw new ArgumentException("signature_key_sha256 is a SHA-256 digest: 32 bytes", nameof(body));
        var writer = new MlsVectorWriter();
        writer.WriteUInt8(Version);
        writer.WriteVector(Encoding.UTF8.GetBytes(body.MeetingId));
        writer.WriteVector(Encoding.UTF8.GetBytes(body.ParticipantId));
        writer.WriteVector(Encoding.UTF8.GetBytes(body.AttendeeKey));
        writer.WriteVector(Encoding.UTF8.GetBytes(body.DisplayName));
        writer.WriteUInt8((byte)body.Kind);
        writer.WriteUInt64(body.NotAfterUnixSeconds);
        writer.WriteFixed(body.SignatureKeySha256, 32, nameof(body.SignatureKeySha256));
        return writer.ToArray();
    }

    /// <summary>What the CA signs: <see cref="SignatureLabel"/> ‖ body.</summary>
    public static byte[] SignatureInput(ReadOnlySpan<byte> encodedBody) => [.. Encoding.ASCII.GetBytes(SignatureLabel), .. encodedBody];

    /// <summary>The credential for <paramref name="body"/>, signed by <paramref name="ca"/>.</summary>
    public static IssuedCredential Sign(CredentialBody body, ICredentialSigner ca)
    {
        byte[] encodedBody = EncodeBody(body);
        return new IssuedCredential(Encode(encodedBody, ca.SignP1363(SignatureInput(encodedBody))), ca.CaPublicKeySpki(), body.Kind);
    }

    /// <summary>body ‖ ca_signature&lt;V&gt;.</summary>
    public static byte[] Encode(ReadOnlySpan<byte> encodedBody, ReadOnlySpan<byte> caSignature)
    {
        var writer = new MlsVectorWriter();
        writer.WriteFixed(encodedBody, encodedBody.Length, nameof(encodedBody));
        writer.WriteVector(caSignature);
        return writer.ToArray();
    }
}
