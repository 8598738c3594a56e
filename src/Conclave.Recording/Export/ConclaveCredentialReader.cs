using System.Diagnostics.CodeAnalysis;
using System.Security.Cryptography;
using System.Text;
using Conclave.Crypto.Mls;

namespace Conclave.Recording.Export;

/// <summary>
/// What a ConclaveCredential says (docs/signalling.md, "Credential"), and whether the appliance's
/// credential CA signed it. <paramref name="Kind"/>: 1 host, 2 member, 3 guest.
/// </summary>
internal sealed record CredentialFacts(
    string MeetingId, string ParticipantId, string AttendeeKey, string DisplayName, byte Kind, ulong NotAfterUnixSeconds,
    byte[] SignatureKeySha256, bool CaSignatureValid)
{
    public string KindName => Kind switch { 1 => "host", 2 => "member", _ => "guest" };
}

/// <summary>
/// Reads a ConclaveCredential, version 1, and checks its CA signature:
/// <code>
/// struct { uint8 version = 1; opaque meeting_id&lt;V&gt;; opaque participant_id&lt;V&gt;; opaque attendee_key&lt;V&gt;;
///          opaque display_name&lt;V&gt;; uint8 kind; uint64 not_after; opaque signature_key_sha256[32]; } CredentialBody;
/// struct { CredentialBody body; opaque ca_signature&lt;V&gt;; } ConclaveCredential;
/// </code>
/// The CA signs ASCII "Conclave credential v1" ‖ body with ECDSA P-256/SHA-256, the signature r ‖ s
/// (IEEE P1363). Strings are strict UTF-8 and the kind one of 1–3, as the browser decodes them.
/// </summary>
internal static class ConclaveCredentialReader
{
    public const byte Version = 1;
    private const int SignatureKeySha256Bytes = 32;
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private static ReadOnlySpan<byte> SignatureLabel => "Conclave credential v1"u8;

    /// <summary>The credential's facts, or null when the bytes are not exactly one well-formed version-1 credential.</summary>
    /// <param name="ca">The credential CA's public key.</param>
    public static CredentialFacts? Read(ReadOnlySpan<byte> credential, ECDsa ca)
    {
        var reader = new MlsVectorReader(credential);
        if (!reader.TryReadUInt8(out byte version) || version != Version) return null;
        if (!TryReadString(ref reader, out string? meetingId) || !TryReadString(ref reader, out string? participantId)
            || !TryReadString(ref reader, out string? attendeeKey) || !TryReadString(ref reader, out string? displayName)) return null;
        if (!reader.TryReadUInt8(out byte kind) || kind is < 1 or > 3) return null;
        if (!reader.TryReadUInt64(out ulong notAfter) || !reader.TryReadFixed(SignatureKeySha256Bytes, out var signatureKeySha256)) return null;
        int bodyLength = credential.Length - reader.Remaining;
        if (!reader.TryReadVector(out var caSignature) || !reader.IsAtEnd) return null;

        var signed = new byte[SignatureLabel.Length + bodyLength];
        SignatureLabel.CopyTo(signed);
        credential[..bodyLength].CopyTo(signed.AsSpan(SignatureLabel.Length));
        bool valid = ca.VerifyData(signed, caSignature, HashAlgorithmName.SHA256, DSASignatureFormat.IeeeP1363FixedFieldConcatenation);
        return new CredentialFacts(meetingId, participantId, attendeeKey, displayName, kind, notAfter, signatureKeySha256.ToArray(), valid);
    }

    private static bool TryReadString(ref MlsVectorReader reader, [NotNullWhen(true)] out string? value)
    {
        value = null;
        if (!reader.TryReadVector(out var bytes)) return false;
        try
        {
            value = StrictUtf8.GetString(bytes);
            return true;
        }
        catch (DecoderFallbackException)
        {
            return false;
        }
    }
}
