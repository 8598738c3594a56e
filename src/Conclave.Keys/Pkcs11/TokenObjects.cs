using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>Objects on the token found by class and CKA_LABEL: Conclave names every key, certificate and data object it keeps.</summary>
internal static class TokenObjects
{
    public static IObjectHandle? FindObject(ISession session, CKO objectClass, string label)
    {
        var found = FindObjects(session, objectClass, label);
        return found.Count > 0 ? found[0] : null;
    }

    public static List<IObjectHandle> FindObjects(ISession session, CKO objectClass, string label)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        return session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, objectClass), attributes.Create(CKA.CKA_LABEL, label)]);
    }

    /// <summary>Every object with this label, whatever its class: both halves of a key pair, or a label already taken.</summary>
    public static List<IObjectHandle> FindLabelled(ISession session, string label)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        return session.FindAllObjects([attributes.Create(CKA.CKA_LABEL, label)]);
    }
}
