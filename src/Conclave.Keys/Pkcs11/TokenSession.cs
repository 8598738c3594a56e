using System.Security.Cryptography;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// The one session Conclave holds on a token, and the one lock every operation on it takes.
/// One session: two threads on one PKCS#11 session crashed the process (SIGSEGV), and the
/// login is the application's, not the session's (PKCS#11 v2.40 §5.6), so a second session
/// would add nothing. One operation at a time: SoftHSM2 2.6.1 answered C_UnwrapKey with
/// CKR_ATTRIBUTE_VALUE_INVALID now and then, and missed existing objects in C_FindObjects,
/// while 16 threads used it at once; a token executes one command at a time anyway, and
/// queueing here costs little (a signature takes ~44 µs on SoftHSM2). A token pulled out and
/// put back is found, logged in and its keys looked up again under the same lock, so no
/// operation sees it half restored.
/// </summary>
internal sealed class TokenSession : IDisposable
{
    private readonly Lock _oneAtATime = new();
    private readonly TokenOptions _options;
    private readonly Func<byte[]>? _readPinAgain;
    private ISlot _slot;
    private ISession? _session;
    private bool _disposed;

    /// <param name="readPinAgain">Where the PIN comes from, to log in again after a re-insertion; null: a token that went away stays failed.</param>
    /// <param name="keys">The handles of the roles this token serves.</param>
    public TokenSession(ISlot slot, TokenOptions options, Func<byte[]>? readPinAgain, RoleKeyHandles keys)
    {
        _slot = slot;
        _options = options;
        _readPinAgain = readPinAgain;
        Keys = keys;
    }

    public RoleKeyHandles Keys { get; }

    public string Label => _options.TokenLabel;

    /// <summary>
    /// The slot holding the initialised token with this label. Tokens are found by label,
    /// never by slot index: slots are renumbered as tokens are initialised, removed and put back.
    /// </summary>
    public static ISlot? FindSlot(IPkcs11Library library, string label)
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

    /// <summary>The first login. A wrong PIN throws at once and is never retried: tokens lock after a few failures.</summary>
    public void LogIn(ReadOnlySpan<byte> pin)
    {
        var pinBytes = pin.ToArray();
        lock (_oneAtATime)
        {
            try
            {
                _session = _slot.OpenSession(SessionType.ReadWrite);
                _session.Login(CKU.CKU_USER, pinBytes);
            }
            catch (Pkcs11Exception e)
            {
                throw new TokenException(e.RV switch
                {
                    CKR.CKR_PIN_INCORRECT => $"wrong PIN for token '{Label}' (not retried: the token locks after repeated failures{TriesLeft()})",
                    CKR.CKR_PIN_LOCKED => $"the PIN of token '{Label}' is locked; the security officer must reset it",
                    _ => $"login to token '{Label}' failed: {e.RV}",
                });
            }
            finally
            {
                CryptographicOperations.ZeroMemory(pinBytes);
            }
        }
    }

    /// <summary>
    /// What the token says of the tries left after a wrong PIN (PKCS#11 v2.40 §5.5, CK_TOKEN_INFO
    /// flags): it gives no count, only "low" and "final try".
    /// </summary>
    private string TriesLeft()
    {
        try
        {
            var flags = _slot.GetTokenInfo().TokenFlags;
            if (flags.UserPinFinalTry) return "; the token reports one try left before it locks";
            if (flags.UserPinCountLow) return "; the token reports few tries left";
            return "";
        }
        catch (Pkcs11Exception)
        {
            return "";
        }
    }

    /// <summary>
    /// Runs <paramref name="work"/> on the session while no other thread uses the token. When
    /// the PIN's source is known, a token that went away and came back (stale handles, no
    /// login, a lost session, keys not visible) is reconnected and the work tried once more;
    /// every other PKCS#11 failure becomes a <see cref="TokenException"/> naming the token and
    /// the return value.
    /// </summary>
    public T Run<T>(Func<ISession, T> work)
    {
        lock (_oneAtATime)
        {
            try
            {
                return Attempt(work);
            }
            catch (Exception e) when (_readPinAgain is not null && IsStale(e))
            {
                try
                {
                    Reconnect();
                    return Attempt(work);
                }
                catch (Pkcs11Exception again)
                {
                    throw NotAnswering(again.RV);
                }
            }
            catch (Pkcs11Exception e) when (e.RV is CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID)
            {
                throw NotAnswering(e.RV);
            }
            catch (Pkcs11Exception e)
            {
                throw new TokenException($"token '{Label}': the operation failed ({e.RV})");
            }
        }
    }

    public void Run(Action<ISession> work) => Run(session =>
    {
        work(session);
        return true;
    });

    /// <summary>Whether the token offers a mechanism (C_GetMechanismList of its slot).</summary>
    public bool Offers(CKM mechanism) => Run(_ => _slot.GetMechanismList().Contains(mechanism));

    private TokenException NotAnswering(CKR returnValue) => new($"token '{Label}' does not answer for its keys ({returnValue}): was it removed?");

    private static bool IsStale(Exception e) => e switch
    {
        Pkcs11Exception p => p.RV is CKR.CKR_OBJECT_HANDLE_INVALID or CKR.CKR_KEY_HANDLE_INVALID or CKR.CKR_USER_NOT_LOGGED_IN,
        KeyMissingException or TokenUnreachableException => true,
        _ => false,
    };

    private T Attempt<T>(Func<ISession, T> work)
    {
        if (_disposed) throw new ObjectDisposedException(nameof(Token));
        var session = _session ??= OpenSession();
        try
        {
            return work(session);
        }
        // CKR_DEVICE_ERROR too: a reader (or p11-kit's remoting) that lost its token says so.
        catch (Pkcs11Exception e) when (e.RV is CKR.CKR_SESSION_HANDLE_INVALID or CKR.CKR_SESSION_CLOSED or CKR.CKR_DEVICE_REMOVED or CKR.CKR_TOKEN_NOT_PRESENT or CKR.CKR_DEVICE_ERROR)
        {
            CloseSession();
            throw new TokenUnreachableException($"token '{Label}' is not reachable ({e.RV})");
        }
    }

    private ISession OpenSession()
    {
        try
        {
            return _slot.OpenSession(SessionType.ReadWrite);
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
    }

    /// <summary>
    /// The token was removed and put back: to the module it is a new token, maybe in another
    /// slot, with no login and new object handles. Finds it by label, logs in with the PIN read
    /// again from its source (this class never keeps it) and looks the role keys up again.
    /// </summary>
    private void Reconnect()
    {
        var slot = FindSlotOrNull(Pkcs11Module.Load(_options.ModulePath));
        if (slot is null && _options.ReinitializeModuleToFindToken)
        {
            CloseSession();
            slot = FindSlotOrNull(Pkcs11Module.Reinitialize(_options.ModulePath));
        }
        _slot = slot ?? throw new TokenException($"token '{Label}' is not present; operations resume when it is back");
        Keys.Clear();
        CloseSession();
        try
        {
            Attempt(LogInAgain);
        }
        catch (Pkcs11Exception e)
        {
            throw new TokenException($"token '{Label}' is back but refused the login ({e.RV})");
        }
        Attempt(session =>
        {
            Keys.Reload(session);
            return true;
        });
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

    private bool LogInAgain(ISession session)
    {
        var pin = _readPinAgain!();
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
        return true;
    }

    private void CloseSession()
    {
        var session = _session;
        _session = null;
        try { session?.Dispose(); } catch (Exception e) when (e is Pkcs11Exception or ObjectDisposedException) { }
    }

    /// <summary>
    /// Closes the session. No C_Logout: the login belongs to the whole process, and OpenSSL's
    /// pkcs11 engine signs TLS handshakes on it; the token logs the process out when its last
    /// session closes.
    /// </summary>
    public void Dispose()
    {
        lock (_oneAtATime)
        {
            _disposed = true;
            CloseSession();
        }
    }
}
