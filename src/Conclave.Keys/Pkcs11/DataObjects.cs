using Net.Pkcs11Interop.Common;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// Small values kept on the token as CKO_DATA objects: what must not be rolled back or
/// substituted by whoever can write the disk, such as the audit log's last checkpoint
/// (private) or the registered escrow keys (public: anyone may read them, only a logged-in
/// session writes them).
/// </summary>
internal sealed class DataObjects(TokenSession token)
{
    public void Write(string label, ReadOnlySpan<byte> value, bool isPrivate = true)
    {
        var bytes = value.ToArray();
        token.Run(session =>
        {
            // SoftHSM2 keeps a data object's value read-only: write the new value as a new
            // object, drop the old, then take its label. A crash in between leaves the new
            // one under "-next", which Read also looks for.
            var attributes = session.Factories.ObjectAttributeFactory;
            string next = label + "-next";
            foreach (var stale in TokenObjects.FindObjects(session, CKO.CKO_DATA, next)) session.DestroyObject(stale);
            var created = session.CreateObject(
            [
                attributes.Create(CKA.CKA_CLASS, CKO.CKO_DATA),
                attributes.Create(CKA.CKA_TOKEN, true),
                attributes.Create(CKA.CKA_PRIVATE, isPrivate),
                attributes.Create(CKA.CKA_APPLICATION, "conclave"),
                attributes.Create(CKA.CKA_LABEL, next),
                attributes.Create(CKA.CKA_VALUE, bytes),
            ]);
            foreach (var old in TokenObjects.FindObjects(session, CKO.CKO_DATA, label)) session.DestroyObject(old);
            session.SetAttributeValue(created, [attributes.Create(CKA.CKA_LABEL, label)]);
        });
    }

    /// <summary>The value stored by <see cref="Write"/>, or null if there is none.</summary>
    public byte[]? Read(string label) => token.Run(session =>
    {
        var found = TokenObjects.FindObject(session, CKO.CKO_DATA, label) ?? TokenObjects.FindObject(session, CKO.CKO_DATA, label + "-next");
        return found is null ? null : session.GetAttributeValue(found, [CKA.CKA_VALUE])[0].GetValueAsByteArray();
    });

    /// <summary>Destroys the value stored under <paramref name="label"/> (and a write of it left unfinished); returns whether there was one.</summary>
    public bool Delete(string label) => token.Run(session =>
    {
        var found = TokenObjects.FindObjects(session, CKO.CKO_DATA, label);
        found.AddRange(TokenObjects.FindObjects(session, CKO.CKO_DATA, label + "-next"));
        foreach (var handle in found) session.DestroyObject(handle);
        return found.Count > 0;
    });
}
