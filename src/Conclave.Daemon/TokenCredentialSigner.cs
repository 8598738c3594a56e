using System.Formats.Asn1;
using Conclave.Keys;
using Conclave.Keys.Roles;
using Conclave.Meetings;
using Conclave.Web.Ports;

namespace Conclave.Daemon;

/// <summary>
/// Signs MLS credentials with the token's credential-CA key: the adapter between Web's port and
/// the token, which may not see each other. The token answers in DER (RFC 3279 §2.2.3); MLS
/// credentials carry IEEE P1363 r‖s, so the two integers are unpacked here.
/// </summary>
internal sealed class TokenCredentialSigner(Token token) : ICredentialSigner
{
    /// <summary>The byte length of a P-256 scalar.</summary>
    private const int ScalarBytes = 32;

    public byte[] SignP1363(ReadOnlySpan<byte> data)
    {
        try
        {
            return DerToP1363(token.SignDer(KeyRole.CredentialCa, data));
        }
        catch (TokenException e)
        {
            throw Unavailable(e);
        }
    }

    public byte[] CaPublicKeySpki()
    {
        try
        {
            return token.ExportPublicKey(KeyRole.CredentialCa);
        }
        catch (TokenException e)
        {
            throw Unavailable(e);
        }
    }

    /// <summary>SEQUENCE { r INTEGER, s INTEGER } as r ‖ s, each left-padded to 32 bytes.</summary>
    internal static byte[] DerToP1363(byte[] der)
    {
        var sequence = new AsnReader(der, AsnEncodingRules.DER).ReadSequence();
        var signature = new byte[2 * ScalarBytes];
        WriteScalar(sequence.ReadIntegerBytes().Span, signature.AsSpan(0, ScalarBytes));
        WriteScalar(sequence.ReadIntegerBytes().Span, signature.AsSpan(ScalarBytes));
        sequence.ThrowIfNotEmpty();
        return signature;
    }

    /// <summary>A DER INTEGER is minimal two's complement: a positive scalar may carry one leading zero, or be shorter than 32 bytes.</summary>
    private static void WriteScalar(ReadOnlySpan<byte> integer, Span<byte> destination)
    {
        bool negative = (integer[0] & 0x80) != 0;
        if (integer.Length > 1 && integer[0] == 0) integer = integer[1..];
        if (negative || integer.Length > ScalarBytes) throw new TokenException("the token's signature holds an integer that is not a P-256 scalar");
        integer.CopyTo(destination[(ScalarBytes - integer.Length)..]);
    }

    private static DomainException Unavailable(TokenException e) =>
        DomainException.Unavailable($"The appliance's key token is not reachable ({e.Message}); try again when it is back.");
}
