using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// The role keys' object handles, looked up once and reused until the token comes back
/// from a removal: SoftHSM2 2.6.1 was seen to miss existing keys in C_FindObjects while
/// 16 threads used the token at once. Used only under <see cref="TokenSession"/>'s lock.
/// Each token caches its own roles only: the appliance token never looks for a compliance key.
/// </summary>
/// <param name="roleKeys">The roles this token serves.</param>
/// <param name="provisionCommand">What makes a missing key, for the error that says it is missing.</param>
internal sealed class RoleKeyHandles(string tokenLabel, IReadOnlyList<RoleKey> roleKeys, string provisionCommand)
{
    private readonly Dictionary<(string Label, CKO Class), IObjectHandle> _handles = new();

    public IReadOnlyList<RoleKey> RoleKeys => roleKeys;

    /// <summary>Looks on the token, bypassing the cache: provisioning and inspection ask what is there now.</summary>
    public static IObjectHandle? Find(ISession session, RoleKey key, CKO objectClass) => TokenObjects.FindObject(session, objectClass, key.Label);

    public IObjectHandle Require(ISession session, RoleKey key, CKO objectClass)
    {
        if (_handles.TryGetValue((key.Label, objectClass), out var cached)) return cached;
        var found = TokenObjects.FindObject(session, objectClass, key.Label)
            ?? throw new KeyMissingException($"token '{tokenLabel}' has no {key.Role} key labelled '{key.Label}': run {provisionCommand}");
        _handles[(key.Label, objectClass)] = found;
        return found;
    }

    /// <summary>Forgets every handle: after the token came back they name other objects, or none.</summary>
    public void Clear() => _handles.Clear();

    /// <summary>Looks up every present role key (and an EC key's public half) before the token is shared between threads.</summary>
    public void Reload(ISession session)
    {
        _handles.Clear();
        foreach (var key in roleKeys)
        {
            Remember(session, key, key.KeyClass);
            if (key.KeyClass == CKO.CKO_PRIVATE_KEY) Remember(session, key, CKO.CKO_PUBLIC_KEY);
        }
    }

    private void Remember(ISession session, RoleKey key, CKO objectClass)
    {
        if (Find(session, key, objectClass) is { } handle) _handles[(key.Label, objectClass)] = handle;
    }
}
