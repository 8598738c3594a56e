using Conclave.Keys.Roles;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// The role keys' object handles, looked up once and reused until the token comes back
/// from a removal: SoftHSM2 2.6.1 was seen to miss existing keys in C_FindObjects while
/// 16 threads used the token at once. Used only under <see cref="TokenSession"/>'s lock.
/// </summary>
internal sealed class RoleKeyHandles(TokenOptions options)
{
    private readonly Dictionary<(string Label, CKO Class), IObjectHandle> _handles = new();

    /// <summary>The class of the key that does a role's work: the AES KEK's secret key, or the EC private key.</summary>
    public static CKO KeyClassOf(KeyRole role) => KeyRoles.KindOf(role) == KeyKind.AesWrapping ? CKO.CKO_SECRET_KEY : CKO.CKO_PRIVATE_KEY;

    /// <summary>Looks on the token, bypassing the cache: provisioning and inspection ask what is there now.</summary>
    public IObjectHandle? Find(ISession session, KeyRole role, CKO objectClass) => TokenObjects.FindObject(session, objectClass, options.LabelOf(role));

    public IObjectHandle Require(ISession session, KeyRole role, CKO objectClass)
    {
        string label = options.LabelOf(role);
        if (_handles.TryGetValue((label, objectClass), out var cached)) return cached;
        var found = TokenObjects.FindObject(session, objectClass, label)
            ?? throw new KeyMissingException($"token '{options.TokenLabel}' has no {role} key labelled '{label}': run conclavectl token provision");
        _handles[(label, objectClass)] = found;
        return found;
    }

    /// <summary>Forgets every handle: after the token came back they name other objects, or none.</summary>
    public void Clear() => _handles.Clear();

    /// <summary>Looks up every present role key (and an EC key's public half) before the token is shared between threads.</summary>
    public void Reload(ISession session)
    {
        _handles.Clear();
        foreach (var role in KeyRoles.All)
        {
            var keyClass = KeyClassOf(role);
            Remember(session, role, keyClass);
            if (keyClass == CKO.CKO_PRIVATE_KEY) Remember(session, role, CKO.CKO_PUBLIC_KEY);
        }
    }

    private void Remember(ISession session, KeyRole role, CKO objectClass)
    {
        if (Find(session, role, objectClass) is { } handle) _handles[(options.LabelOf(role), objectClass)] = handle;
    }
}
