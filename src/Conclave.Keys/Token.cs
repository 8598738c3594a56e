using System.Security.Cryptography;
using Conclave.Keys.Pkcs11;
using Conclave.Keys.Roles;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys;

/// <summary>
/// A logged-in PKCS#11 token, found by its label, and what Conclave does with the role keys
/// on it: sign, wrap, keep small values. Opened with <see cref="Open(TokenOptions, ReadOnlySpan{byte})"/>
/// it is the appliance token and serves the <see cref="KeyRole"/>s; the compliance token is a
/// <see cref="ComplianceToken"/> over one of these. Each token has its own session and lock
/// (<see cref="TokenSession"/>); one process may hold several tokens, each opened once.
/// </summary>
public sealed class Token : IDisposable
{
    private Token(TokenOptions options, TokenSession session)
    {
        Options = options;
        Session = session;
    }

    public TokenOptions Options { get; }

    public string Label => Options.TokenLabel;

    internal TokenSession Session { get; }

    /// <summary>
    /// Finds the token by label and logs in. A wrong PIN throws at once and is never
    /// retried: tokens lock after a few failures.
    /// </summary>
    public static Token Open(TokenOptions options, ReadOnlySpan<byte> pin) => Open(options, pin, readPinAgain: null, ApplianceKeys(options));

    /// <summary>
    /// Opens the token and remembers where the PIN comes from (never the PIN itself),
    /// so that a token removed and put back is logged in again without a restart.
    /// </summary>
    public static Token Open(TokenOptions options, Func<byte[]> readPin)
    {
        var pin = readPin();
        try
        {
            return Open(options, pin, readPin, ApplianceKeys(options));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pin);
        }
    }

    /// <param name="keys">The roles the token serves, whose handles it caches.</param>
    internal static Token Open(TokenOptions options, ReadOnlySpan<byte> pin, Func<byte[]>? readPinAgain, RoleKeyHandles keys)
    {
        var slot = TokenSession.FindSlot(Pkcs11Module.Load(options.ModulePath), options.TokenLabel)
            ?? throw new TokenException($"no token labelled '{options.TokenLabel}' is present in {options.ModulePath}");
        var token = new Token(options, new TokenSession(slot, options, readPinAgain, keys));
        if (!TokenLogins.TryClaim(token)) throw new TokenException($"token '{options.TokenLabel}' is already open in this process");
        try
        {
            token.Session.LogIn(pin);
        }
        catch (TokenException)
        {
            token.Dispose();
            throw;
        }
        token.Session.Run(token.Session.Keys.Reload);
        return token;
    }

    private static RoleKeyHandles ApplianceKeys(TokenOptions options) =>
        new(options.TokenLabel, KeyRoles.Appliance.Select(role => RoleKey.Of(role, options)).ToArray(), "conclavectl token provision");

    /// <summary>
    /// The labels of the tokens this process holds open now: what lets a test see that
    /// conclaved opened the appliance token and nothing else.
    /// </summary>
    public static IReadOnlyList<string> OpenLabels => TokenLogins.Labels();

    /// <summary>The mechanisms the appliance's key roles need.</summary>
    public static IReadOnlyList<TokenMechanism> RequiredMechanisms { get; } =
        [TokenMechanism.EcKeyPairGeneration, TokenMechanism.Ecdsa, TokenMechanism.AesKeyGeneration, TokenMechanism.AesKeyWrapWithPadding];

    /// <summary>Whether the token offers <paramref name="mechanism"/> (C_GetMechanismList).</summary>
    public bool Supports(TokenMechanism mechanism) => Session.Offers(mechanism.Value);

    /// <summary>
    /// Asks the token something only it can answer (the audit key's public half); throws
    /// <see cref="TokenException"/> when it is gone. Finding objects is no such test: a
    /// token that went away can answer "no such key" instead of an error.
    /// </summary>
    public void EnsureReachable() => ExportPublicKey(KeyRole.AuditSigning);

    /// <summary>The SubjectPublicKeyInfo (DER) of an EC role's public key.</summary>
    public byte[] ExportPublicKey(KeyRole role) => EcPublicKeys.Export(Session, RoleKey.Of(role, Options));

    /// <summary>Public keys (SPKI) of every EC key pair whose label starts with <paramref name="labelPrefix"/>: the current one and those retired by rotation.</summary>
    public IReadOnlyList<byte[]> ExportPublicKeys(string labelPrefix) => EcPublicKeys.ExportAll(Session, labelPrefix);

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, DER-encoded for X.509 and TLS.</summary>
    public byte[] SignDer(KeyRole role, ReadOnlySpan<byte> data) => new EcdsaP256Signer(Session, RoleKey.Of(role, Options)).SignDer(data);

    /// <summary>Wraps a data key under the storage KEK with AES key wrap with padding (RFC 5649).</summary>
    /// <param name="kekLabel">The KEK to use; null for the configured storage KEK.</param>
    public byte[] WrapDataKey(ReadOnlySpan<byte> dataKey, string? kekLabel = null) => new AesKeyWrapper(Session, RoleKey.Of(KeyRole.StorageKek, Options), kekLabel).Wrap(dataKey);

    /// <summary>Unwraps a data key; a wrapped key that was altered fails the RFC 5649 integrity check.</summary>
    public byte[] UnwrapDataKey(ReadOnlySpan<byte> wrapped, string? kekLabel = null) => new AesKeyWrapper(Session, RoleKey.Of(KeyRole.StorageKek, Options), kekLabel).Unwrap(wrapped);

    /// <summary>Stores a small private value on the token (a CKO_DATA object), such as the audit log's last checkpoint.</summary>
    public void WriteData(string label, ReadOnlySpan<byte> value) => new DataObjects(Session).Write(label, value);

    /// <summary>The value stored by <see cref="WriteData"/>, or null if there is none.</summary>
    public byte[]? ReadData(string label) => new DataObjects(Session).Read(label);

    /// <summary>Every object this session sees (public ones, and private ones since it is logged in): what is on the token.</summary>
    public IReadOnlyList<TokenObject> Objects() => Session.Run(session =>
    {
        var objects = new List<TokenObject>();
        foreach (var handle in session.FindAllObjects([]))
        {
            var values = session.GetAttributeValue(handle, [CKA.CKA_CLASS, CKA.CKA_LABEL, CKA.CKA_PRIVATE]);
            objects.Add(new TokenObject(((CKO)values[0].GetValueAsUlong()).ToString(), values[1].GetValueAsString() ?? "", values[2].GetValueAsBool()));
        }
        return (IReadOnlyList<TokenObject>)objects;
    });

    /// <summary>
    /// Renames a key (CKA_LABEL and CKA_ID; both halves of a key pair): how a rotation
    /// retires the old key and gives the new one the configured label, so the daemon's
    /// configuration never changes.
    /// </summary>
    public void RelabelKey(string fromLabel, string toLabel) => Session.Run(session =>
    {
        var found = TokenObjects.FindLabelled(session, fromLabel);
        if (found.Count == 0) throw new TokenException($"token '{Label}' has no key labelled '{fromLabel}'");
        var attributes = session.Factories.ObjectAttributeFactory;
        foreach (var handle in found)
        {
            session.SetAttributeValue(handle, [attributes.Create(CKA.CKA_LABEL, toLabel), attributes.Create(CKA.CKA_ID, System.Text.Encoding.UTF8.GetBytes(toLabel))]);
        }
        Session.Keys.Reload(session);
    });

    public void Dispose()
    {
        TokenLogins.Release(this);
        Session.Dispose();
    }
}
