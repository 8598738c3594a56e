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

    /// <summary>
    /// Every object of <paramref name="objectClass"/> whose label starts with <paramref name="labelPrefix"/>,
    /// with its label: PKCS#11 finds by whole attribute values only, so the prefix is matched here.
    /// </summary>
    public static List<(IObjectHandle Handle, string Label)> FindByLabelPrefix(ISession session, CKO objectClass, string labelPrefix)
    {
        var attributes = session.Factories.ObjectAttributeFactory;
        var found = new List<(IObjectHandle, string)>();
        foreach (var handle in session.FindAllObjects([attributes.Create(CKA.CKA_CLASS, objectClass)]))
        {
            string label = session.GetAttributeValue(handle, [CKA.CKA_LABEL])[0].GetValueAsString() ?? "";
            if (label.StartsWith(labelPrefix, StringComparison.Ordinal)) found.Add((handle, label));
        }
        return found;
    }
}
