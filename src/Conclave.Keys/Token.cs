using System.Collections.Concurrent;
using System.Security.Cryptography;
using Conclave.Keys.Pkcs11;
using Conclave.Keys.Roles;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys;

/// <summary>
/// A logged-in PKCS#11 token. Sessions come from a pool, one borrower at a time:
/// DESIGN.md measured that two threads on one session crash the process. The login
/// is the application's (PKCS#11 §5.6), so every pooled session shares it.
/// </summary>
public sealed class Token : IDisposable
{
    private volatile ISlot _slot;
    private readonly ConcurrentBag<ISession> _idle = new();
    private readonly ConcurrentDictionary<ISession, bool> _all = new();
    private int _disposed;

    private static readonly ConcurrentDictionary<string, Token> OpenTokens = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Label, CKO Class), IObjectHandle> _handles = new();
    private Func<byte[]>? _readPin;

    /// <summary>
    /// One operation at a time: SoftHSM2 answered CKR_ATTRIBUTE_VALUE_INVALID now and then
    /// when 16 threads signed and unwrapped at once, and missed objects in concurrent
    /// C_FindObjects. A token executes one command at a time anyway; queueing here costs
    /// little (44 µs per signature) and keeps every caller's result right.
    /// </summary>
    private readonly Lock _oneAtATime = new();

    private Token(ISlot slot, TokenOptions options)
    {
        _slot = slot;
        Options = options;
    }

    public TokenOptions Options { get; }

    public string Label => Options.TokenLabel;

    /// <summary>
    /// Finds the token by label and logs in. A wrong PIN throws at once and is never
    /// retried: tokens lock after a few failures.
    /// </summary>
    public static Token Open(TokenOptions options, ReadOnlySpan<byte> pin) => Open(options, pin, readPinAgain: null);

    /// <summary>
    /// Opens the token and remembers where the PIN comes from (never the PIN itself),
    /// so that a token removed and put back is logged in again without a restart.
    /// </summary>
    public static Token Open(TokenOptions options, Func<byte[]> readPin)
    {
        var pin = readPin();
        try
        {
            return Open(options, pin, readPin);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pin);
        }
    }

    private static Token Open(TokenOptions options, ReadOnlySpan<byte> pin, Func<byte[]>? readPinAgain)
    {
        var library = Pkcs11Module.Load(options.ModulePath);
        var slot = FindSlot(library, options.TokenLabel)
            ?? throw new TokenException($"no token labelled '{options.TokenLabel}' is present in {options.ModulePath}");
        // A PKCS#11 login belongs to the whole process (PKCS#11 §5.6): a second Token for
        // the same label would ride on the first one's login without its PIN being checked.
        var token = new Token(slot, options) { _readPin = readPinAgain };
        if (!OpenTokens.TryAdd(options.TokenLabel, token))
        {
            throw new TokenException($"token '{options.TokenLabel}' is already open in this process");
        }
        var pinBytes = pin.ToArray();
        try
        {
            var session = slot.OpenSession(SessionType.ReadWrite);
            token._all[session] = true;
            session.Login(CKU.CKU_USER, pinBytes);
            token._idle.Add(session);
        }
        catch (Pkcs11Exception e)
        {
            token.Dispose();
            throw new TokenException(e.RV switch
            {
                CKR.CKR_PIN_INCORRECT => $"wrong PIN for token '{options.TokenLabel}' (not retried: the token locks after repeated failures)",
                CKR.CKR_PIN_LOCKED => $"the PIN of token '{options.TokenLabel}' is locked; the security officer must reset it",
                _ => $"login to token '{options.TokenLabel}' failed: {e.RV}",
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pinBytes);
        }
        token.CacheRoleKeys();
        return token;
    }

    internal static ISlot? FindSlot(IPkcs11Library library, string label)
    {
        foreach (var slot in library.GetSlotList(SlotsType.WithTokenPresent))
        {
            ITokenInfo info;
            try
            {
                info = slot.GetTokenInfo();
            }
            catch (Pkcs11Exception)
            {
                continue; // a token on its way out or in
            }
            if (info.TokenFlags.TokenInitialized && info.Label.Trim() == label) return slot;
        }
        return null;
    }

    /// <summary>The mechanisms Conclave's key roles need.</summary>
    public static IReadOnlyList<TokenMechanism> RequiredMechanisms { get; } =
        [TokenMechanism.EcKeyPairGeneration, TokenMechanism.Ecdsa, TokenMechanism.Ecdh, TokenMechanism.AesKeyGeneration, TokenMechanism.AesKeyWrapWithPadding];

    /// <summary>Whether the token offers <paramref name="mechanism"/> (C_GetMechanismList).</summary>
    public bool Supports(TokenMechanism mechanism) => Run(_ => _slot.GetMechanismList().Contains(mechanism.Value));

    /// <summary>
    /// Runs <paramref name="work"/> with a session nobody else holds meanwhile. A key
    /// handle that went stale (the token was removed and re-inserted, DESIGN's "recovers
    /// without restart") is looked up again once; every other PKCS#11 failure becomes a
    /// <see cref="TokenException"/> that names the token and the return value.
    /// </summary>
    internal T Run<T>(Func<ISession, T> work)
    {
        try
        {
            return RunOnce(work);
        }
        catch (Exception e) when (_readPin is not null && IsStale(e))
        {
            // The token was removed and put back: to the module it is a new token, maybe
            // in another slot, with no login and new object handles. Find it again.
            Reconnect();
            try
            {
                return RunOnce(work);
            }
            catch (Pkcs11Exception again)
            {
                throw new TokenException($"token '{Label}' does not answer for its keys ({again.RV}): was it removed?");
            }
        }
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID)
        {
            throw new TokenException($"token '{Label}' does not answer for its keys ({e.RV}): was it removed?");
        }
        catch (Pkcs11Exception e)
        {
            throw new TokenException($"token '{Label}': the operation failed ({e.RV})");
        }
    }

    private static bool IsStale(Exception e) => e switch
    {
        Pkcs11Exception p => p.RV is CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID or CKR.CKR_USER_NOT_LOGGED_IN,
        KeyMissingException or TokenUnreachableException => true,
        _ => false,
    };

    private void Reconnect()
    {
        var slot = FindSlotOrNull(Pkcs11Module.Load(Options.ModulePath));
        if (slot is null && Options.ReinitializeModuleToFindToken)
        {
            DropSessions();
            slot = FindSlotOrNull(Pkcs11Module.Reinitialize(Options.ModulePath));
        }
        if (slot is null) throw new TokenException($"token '{Label}' is not present; operations resume when it is back");
        _slot = slot;
        _handles.Clear();
        DropSessions();
        Relogin();
        CacheRoleKeys();
    }

    private ISlot? FindSlotOrNull(IPkcs11Library library)
    {
        try
        {
            return FindSlot(library, Label);
        }
        catch (Pkcs11Exception)
        {
            return null;
        }
    }

    /// <summary>Closes the sessions of a token that went away; their handles mean nothing any more.</summary>
    private void DropSessions()
    {
        while (_idle.TryTake(out var stale))
        {
            _all.TryRemove(stale, out _);
            try { stale.Dispose(); } catch (Exception e) when (e is Pkcs11Exception or ObjectDisposedException) { }
        }
    }

    private void Relogin()
    {
        if (_readPin is null) return;
        try
        {
            RunOnce(session =>
            {
                Login(session);
                return true;
            });
        }
        catch (Pkcs11Exception e)
        {
            throw new TokenException($"token '{Label}' is back but refused the login ({e.RV})");
        }
    }

    private void Login(ISession session)
    {
        var pin = _readPin!();
        try
        {
            session.Login(CKU.CKU_USER, pin);
        }
        catch (Pkcs11Exception e) when (e.RV == CKR.CKR_USER_ALREADY_LOGGED_IN)
        {
        }
        finally
        {
            CryptographicOperations.ZeroMemory(pin);
        }
    }

    private T RunOnce<T>(Func<ISession, T> work)
    {
        lock (_oneAtATime) return RunLocked(work);
    }

    private T RunLocked<T>(Func<ISession, T> work)
    {
        if (Volatile.Read(ref _disposed) != 0) throw new ObjectDisposedException(nameof(Token));
        if (!_idle.TryTake(out var session))
        {
            try
            {
                session = _slot.OpenSession(SessionType.ReadWrite);
            }
            catch (Pkcs11Exception e)
            {
                // A slot that went away with its token: Run finds the token again.
                throw new TokenUnreachableException($"token '{Label}' refused a session ({e.RV}); is it still present?");
            }
            catch (ObjectDisposedException)
            {
                // The slot belonged to a module instance that was initialised again meanwhile.
                throw new TokenUnreachableException($"token '{Label}' is not reachable (its module was re-initialised)");
            }
            _all[session] = true;
        }
        bool healthy = true;
        try
        {
            return work(session);
        }
        // CKR_DEVICE_ERROR too: a reader (or p11-kit's remoting) that lost its token says so.
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_ERROR)
        {
            healthy = false;
            throw new TokenUnreachableException($"token '{Label}' is not reachable ({e.RV})");
        }
        finally
        {
            if (healthy && Volatile.Read(ref _disposed) == 0) _idle.Add(session);
            else
            {
                _all.TryRemove(session, out _);
                try { session.Dispose(); } catch (Pkcs11Exception) { }
            }
        }
    }

    internal void Run(Action<ISession> work) => Run(session =>
    {
        work(session);
        return true;
    });

    // ---- keys ----------------------------------------------------------------------

    internal IObjectHandle? Find(ISession session, KeyRole role, CKO objectClass) => TokenObjects.FindObject(session, objectClass, Options.LabelOf(role));

    /// <summary>
    /// A role key's handle, looked up once: handles are valid in every session of the
    /// application, and SoftHSM2's file-backed store was seen to miss objects in
    /// C_FindObjects while 16 threads used the token at once.
    /// </summary>
    internal IObjectHandle Require(ISession session, KeyRole role, CKO objectClass)
    {
        var key = (Options.LabelOf(role), objectClass);
        if (_handles.TryGetValue(key, out var cached)) return cached;
        var found = Find(session, role, objectClass);
        if (found is null) throw new KeyMissingException($"token '{Label}' has no {role} key labelled '{Options.LabelOf(role)}': run conclavectl token provision");
        _handles[key] = found;
        return found;
    }

    /// <summary>Looks up every present role key before the token is shared between threads.</summary>
    internal void CacheRoleKeys() => Run(session =>
    {
        foreach (var role in KeyRoles.All)
        {
            var objectClass = KeyRoles.KindOf(role) == KeyKind.AesWrapping ? CKO.CKO_SECRET_KEY : CKO.CKO_PRIVATE_KEY;
            if (Find(session, role, objectClass) is { } privateOrSecret) _handles[(Options.LabelOf(role), objectClass)] = privateOrSecret;
            if (objectClass == CKO.CKO_PRIVATE_KEY && Find(session, role, CKO.CKO_PUBLIC_KEY) is { } publicKey) _handles[(Options.LabelOf(role), CKO.CKO_PUBLIC_KEY)] = publicKey;
        }
    });

    /// <summary>A storage KEK by label: the current one, or an older one during rotation.</summary>
    private IObjectHandle RequireKek(ISession session, string? label)
    {
        if (label is null) return Require(session, KeyRole.StorageKek, CKO.CKO_SECRET_KEY);
        return TokenObjects.FindObject(session, CKO.CKO_SECRET_KEY, label) ?? throw new TokenException($"token '{Label}' has no storage key labelled '{label}'");
    }

    /// <summary>
    /// Renames a key (CKA_LABEL and CKA_ID; both halves of a key pair): how a rotation
    /// retires the old key and gives the new one the configured label, so the daemon's
    /// configuration never changes.
    /// </summary>
    public void RelabelKey(string fromLabel, string toLabel) => Run(session =>
    {
        var found = TokenObjects.FindLabelled(session, fromLabel);
        if (found.Count == 0) throw new TokenException($"token '{Label}' has no key labelled '{fromLabel}'");
        var attributes = session.Factories.ObjectAttributeFactory;
        foreach (var handle in found)
        {
            session.SetAttributeValue(handle, [attributes.Create(CKA.CKA_LABEL, toLabel), attributes.Create(CKA.CKA_ID, System.Text.Encoding.UTF8.GetBytes(toLabel))]);
        }
        _handles.Clear();
        CacheRoleKeys();
    });

    /// <summary>Public keys (SPKI) of every EC key pair whose label starts with <paramref name="labelPrefix"/>: the current one and those retired by rotation.</summary>
    public IReadOnlyList<byte[]> ExportPublicKeys(string labelPrefix) => Run(session =>
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        var keys = new List<byte[]>();
        foreach (var handle in session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, CKO.CKO_PUBLIC_KEY)]))
        {
            var values = session.GetAttributeValue(handle, [CKA.CKA_LABEL, CKA.CKA_EC_POINT]);
            if (!values[0].GetValueAsString().StartsWith(labelPrefix, StringComparison.Ordinal)) continue;
            using var ecdsa = ECDsa.Create(EcKeyEncoding.PublicParameters(EcKeyEncoding.UncompressedPoint(values[1].GetValueAsByteArray())));
            keys.Add(ecdsa.ExportSubjectPublicKeyInfo());
        }
        return (IReadOnlyList<byte[]>)keys;
    });

    /// <summary>
    /// Stores a small private value on the token (a CKO_DATA object): what must not be
    /// rolled back by whoever can write the disk, such as the audit log's last checkpoint.
    /// </summary>
    public void WriteData(string label, ReadOnlySpan<byte> value)
    {
        var bytes = value.ToArray();
        Run(session =>
        {
            // SoftHSM2 keeps a data object's value read-only: write the new value as a new
            // object, drop the old, then take its label. A crash in between leaves the new
            // one under "-next", which ReadData also looks for.
            var attributes = session.Factories.ObjectAttributeFactory;
            string next = label + "-next";
            foreach (var stale in TokenObjects.FindObjects(session, CKO.CKO_DATA, next)) session.DestroyObject(stale);
            var created = session.CreateObject(
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_DATA),
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, true),
                attributes.Create(CKA.CKA_APPLICATION, "conclave"),
                attributes.Create(CKA.CKA_LABEL, next),
                attributes.Create(CKA.CKA_VALUE, bytes),
            ]);
            foreach (var old in TokenObjects.FindObjects(session, CKO.CKO_DATA, label)) session.DestroyObject(old);
            session.SetAttributeValue(created, [attributes.Create(CKA.CKA_LABEL, label)]);
        });
    }

    /// <summary>The value stored by <see cref="WriteData"/>, or null if there is none.</summary>
    public byte[]? ReadData(string label) => Run(session =>
    {
        var found = TokenObjects.FindObject(session, CKO.CKO_DATA, label) ?? TokenObjects.FindObject(session, CKO.CKO_DATA, label + "-next");
        return found is null ? null : session.GetAttributeValue(found, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
    });

    /// <summary>
    /// Asks the token something only it can answer (the audit key's public half); throws
    /// <see cref="TokenException"/> when it is gone. Finding objects is no such test: a
    /// token that went away can answer "no such key" instead of an error.
    /// </summary>
    public void EnsureReachable() => ExportPublicKey(KeyRole.AuditSigning);

    /// <summary>The SubjectPublicKeyInfo (DER) of an EC role's public key.</summary>
    public byte[] ExportPublicKey(KeyRole role) => Run(session =>
    {
        var handle = Require(session, role, CKO.CKO_PUBLIC_KEY);
        var point = session.GetAttributeValue(handle, [CKA.CKA_EC_POINT])[0].GetValueAsByteArray();
        using var ecdsa = ECDsa.Create(EcKeyEncoding.PublicParameters(EcKeyEncoding.UncompressedPoint(point)));
        return ecdsa.ExportSubjectPublicKeyInfo();
    });

    /// <summary>ECDSA P-256 over SHA-256 of <paramref name="data"/>, DER-encoded for X.509 and TLS.</summary>
    public byte[] SignDer(KeyRole role, ReadOnlySpan<byte> data)
    {
        var digest = SHA256.HashData(data);
        return Run(session =>
        {
            var key = Require(session, role, CKO.CKO_PRIVATE_KEY);
            var mechanism = session.Factories.MechanismFactory.Create(CKM.CKM_ECDSA);
            return EcKeyEncoding.RawSignatureToDer(session.Sign(mechanism, key, digest));
        });
    }

    /// <summary>
    /// ECDH (CKM_ECDH1_DERIVE, CKD_NULL: SoftHSM's only KDF) with the role's private key;
    /// returns the 32-byte shared x-coordinate for the caller's KDF (HPKE, RFC 9180 §4.1).
    /// </summary>
    public byte[] DeriveSharedSecret(KeyRole role, ReadOnlySpan<byte> peerUncompressedPoint)
    {
        var peer = peerUncompressedPoint.ToArray();
        return Run(session =>
        {
            var key = Require(session, role, CKO.CKO_PRIVATE_KEY);
            var factories = session.Factories;
            var parameters = factories.MechanismParamsFactory.CreateCkEcdh1DeriveParams((ulong)CKD.CKD_NULL, null, peer);
            var mechanism = factories.MechanismFactory.Create(CKM.CKM_ECDH1_DERIVE, parameters);
            var attributes = factories.ObjectAttributeFactory;
            var secret = session.DeriveKey(mechanism, key,
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_GENERIC_SECRET),
                attributes.Create(CKA.CKA_TOKEN, false),
                attributes.Create(CKA.CKA_SENSITIVE, false),
                attributes.Create(CKA.CKA_EXTRACTABLE, true),
                attributes.Create(CKA.CKA_VALUE_LEN, 32UL),
            ]);
            try
            {
                return session.GetAttributeValue(secret, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
            }
            finally
            {
                session.DestroyObject(secret);
            }
        });
    }

    /// <summary>Wraps a data key under the storage KEK with AES key wrap with padding (RFC 5649).</summary>
    /// <param name="kekLabel">The KEK to use; null for the configured storage KEK.</param>
    public byte[] WrapDataKey(ReadOnlySpan<byte> dataKey, string? kekLabel = null)
    {
        var value = dataKey.ToArray();
        try
        {
            return Run(session =>
            {
                var kek = RequireKek(session, kekLabel);
                var attributes = session.Factories.ObjectAttributeFactory;
                var imported = session.CreateObject(
                [
                    attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    attributes.Create(CKA.CKA_TOKEN, false),
                    attributes.Create(CKA.CKA_EXTRACTABLE, true),
                    attributes.Create(CKA.CKA_VALUE, value),
                ]);
                try
                {
                    return session.WrapKey(session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD), kek, imported);
                }
                finally
                {
                    session.DestroyObject(imported);
                }
            });
        }
        finally
        {
            CryptographicOperations.ZeroMemory(value);
        }
    }

    /// <summary>Unwraps a data key; a wrapped key that was altered fails the RFC 5649 integrity check.</summary>
    public byte[] UnwrapDataKey(ReadOnlySpan<byte> wrapped, string? kekLabel = null)
    {
        var input = wrapped.ToArray();
        return Run(session =>
        {
            var kek = RequireKek(session, kekLabel);
            var attributes = session.Factories.ObjectAttributeFactory;
            IObjectHandle key;
            try
            {
                key = session.UnwrapKey(session.Factories.MechanismFactory.Create(CKM.CKM_AES_KEY_WRAP_PAD), kek, input,
                [
                    attributes.Create(CKA.CKA_CLASS, CKO.CKO_SECRET_KEY),
                    attributes.Create(CKA.CKA_KEY_TYPE, CKK.CKK_AES),
                    attributes.Create(CKA.CKA_TOKEN, false),
                    attributes.Create(CKA.CKA_SENSITIVE, false),
                    attributes.Create(CKA.CKA_EXTRACTABLE, true),
                ]);
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_WRAPPED_KEY_INVALID or CKR.CKR_WRAPPED_KEY_LEN_RANGE or CKR.CKR_ENCRYPTED_DATA_INVALID
                or CKR.CKR_ENCRYPTED_DATA_LEN_RANGE or CKR.CKR_FUNCTION_FAILED or CKR.CKR_GENERAL_ERROR)
            {
                throw new TokenException("the wrapped data key is corrupt or was wrapped by another key");
            }
            try
            {
                return session.GetAttributeValue(key, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
            }
            finally
            {
                session.DestroyObject(key);
            }
        });
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0) return;
        OpenTokens.TryRemove(new KeyValuePair<string, Token>(Label, this));
        // No C_Logout: the login belongs to the whole process, and OpenSSL's pkcs11 engine
        // signs TLS handshakes on it; the token logs the process out when its last session closes.
        foreach (var session in _all.Keys)
        {
            try { session.Dispose(); } catch (Pkcs11Exception) { }
        }
        _all.Clear();
    }
}
