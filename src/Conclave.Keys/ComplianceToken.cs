using System.Security.Cryptography;
using Conclave.Keys.Pkcs11;
using Conclave.Keys.Roles;

namespace Conclave.Keys;

/// <summary>
/// The compliance token: the escrow keys that open recorded epochs and the key that signs
/// export manifests. Only conclavectl opens it, with a PIN conclaved never sees
/// (docs/recording.md, "Tokens: appliance and compliance"). It serves the
/// <see cref="ComplianceKeyRole"/>s only, and refuses to be an appliance token.
/// </summary>
public sealed class ComplianceToken : IDisposable
{
    public const string DefaultLabel = "conclave-compliance";

    private ComplianceToken(Token token) => Token = token;

    internal Token Token { get; }

    public string Label => Token.Label;

    /// <summary>The mechanisms the compliance roles need: P-256 key pairs, ECDSA, ECDH.</summary>
    public static IReadOnlyList<TokenMechanism> RequiredMechanisms { get; } = [TokenMechanism.EcKeyPairGeneration, TokenMechanism.Ecdsa, TokenMechanism.Ecdh];

    /// <summary>
    /// Finds the token by label and logs in. A wrong PIN throws at once and is never retried
    /// (the message says what the token reports of the tries left). A token that holds the
    /// appliance's role keys is refused: compliance keys never share the daemon's token.
    /// </summary>
    public static ComplianceToken Open(string modulePath, string tokenLabel, ReadOnlySpan<byte> pin)
    {
        var options = new TokenOptions { ModulePath = modulePath, TokenLabel = tokenLabel };
        var keys = new RoleKeyHandles(tokenLabel, ComplianceKeyRoles.All.Select(RoleKey.Of).ToArray(), "conclavectl compliance provision");
        var token = Token.Open(options, pin, readPinAgain: null, keys);
        try
        {
            var applianceKeys = token.Session.Run(session =>
                KeyRoles.Appliance.Select(KeyRoles.DefaultLabel).Where(label => TokenObjects.FindLabelled(session, label).Count > 0).ToArray());
            if (applianceKeys.Length > 0)
            {
                throw new TokenException($"token '{tokenLabel}' holds the appliance's keys ({string.Join(", ", applianceKeys)}): it is an appliance token, "
                    + "and the compliance keys need a token of their own");
            }
            return new ComplianceToken(token);
        }
        catch
        {
            token.Dispose();
            throw;
        }
    }

    /// <summary>Whether the token offers <paramref name="mechanism"/> (C_GetMechanismList).</summary>
    public bool Supports(TokenMechanism mechanism) => Token.Supports(mechanism);

    /// <summary>The SubjectPublicKeyInfo (DER) of a compliance key.</summary>
    public byte[] PublicKey(ComplianceKeyRole role) => EcPublicKeys.Export(Token.Session, RoleKey.Of(role));

    /// <summary>The escrow keys' SubjectPublicKeyInfos (DER), escrow-1 first: what <see cref="RegisteredEscrowKeys.Write"/> takes.</summary>
    public IReadOnlyList<byte[]> EscrowPublicKeys() => ComplianceKeyRoles.Escrow.Select(PublicKey).ToArray();

    /// <summary>The SubjectPublicKeyInfo (DER) of the key that signs export manifests.</summary>
    public byte[] SigningPublicKey() => PublicKey(ComplianceKeyRole.Signing);

    /// <summary>
    /// ECDH (CKM_ECDH1_DERIVE, CKD_NULL) with the escrow key whose public half is
    /// <paramref name="escrowPublicKey"/> (SubjectPublicKeyInfo, DER): the 32-byte shared
    /// x-coordinate, which is DHKEM(P-256)'s DH output (RFC 9180 §4.1, §7.1.1).
    /// </summary>
    /// <param name="peerUncompressedPoint">The sender's point, 04‖X‖Y (65 bytes): HPKE's enc.</param>
    public byte[] DeriveSharedSecret(ReadOnlySpan<byte> escrowPublicKey, ReadOnlySpan<byte> peerUncompressedPoint)
    {
        if (peerUncompressedPoint.Length != 65 || peerUncompressedPoint[0] != 0x04)
        {
            throw new ArgumentException("the peer's key must be an uncompressed P-256 point (65 bytes, 0x04 first)", nameof(peerUncompressedPoint));
        }
        foreach (var role in ComplianceKeyRoles.Escrow)
        {
            byte[] spki;
            try
            {
                spki = PublicKey(role);
            }
            catch (KeyMissingException)
            {
                continue; // one escrow key lost: the other may still be the one asked for
            }
            if (spki.AsSpan().SequenceEqual(escrowPublicKey))
            {
                return new EcdhKeyAgreement(Token.Session, RoleKey.Of(role)).DeriveSharedSecret(peerUncompressedPoint);
            }
        }
        throw new TokenException($"token '{Label}' holds no escrow key with that public key (SHA-256 {Convert.ToHexString(SHA256.HashData(escrowPublicKey))[..16]})");
    }

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/> with the signing key; DER-encoded (RFC 3279 §2.2.3).</summary>
    public byte[] SignManifest(ReadOnlySpan<byte> data) => new EcdsaP256Signer(Token.Session, RoleKey.Of(ComplianceKeyRole.Signing)).SignDer(data);

    public void Dispose() => Token.Dispose();
}
