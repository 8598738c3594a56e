using Conclave.Keys.Pkcs11;
using Conclave.Keys.Roles;
using Net.Pkcs11Interop.Common;

namespace Conclave.Keys;

/// <summary>
/// Compliance keys found on the appliance token, where they must never be: conclaved logs in
/// to that token, so a key there is a key the daemon could use. Development tokens
/// provisioned before the compliance token existed hold one (<c>conclave-compliance-escrow</c>).
/// conclaved refuses to start while one is there; <see cref="RemoveCommand"/> destroys it.
/// </summary>
public static class StrayComplianceKeys
{
    public const string RemoveCommand = "conclavectl token remove-escrow-key";

    /// <summary>The labels of the private keys labelled <c>conclave-compliance-*</c> on the token, in ordinal order.</summary>
    public static IReadOnlyList<string> Find(Token appliance) => appliance.Session.Run(session =>
        (IReadOnlyList<string>)TokenObjects.FindByLabelPrefix(session, CKO.CKO_PRIVATE_KEY, ComplianceKeyRoles.LabelPrefix)
            .Select(found => found.Label).Distinct().Order(StringComparer.Ordinal).ToArray());

    /// <summary>
    /// Destroys every private and public key labelled <c>conclave-compliance-*</c> on the
    /// appliance token; returns their labels. Refused on a token that holds none of the
    /// appliance's role keys: that may be the compliance token itself, whose keys must stay.
    /// </summary>
    public static IReadOnlyList<string> Remove(Token appliance) => appliance.Session.Run(session =>
    {
        bool holdsApplianceKey = KeyRoles.Appliance.Any(role => TokenObjects.FindLabelled(session, appliance.Options.LabelOf(role)).Count > 0);
        if (!holdsApplianceKey)
        {
            throw new TokenException($"token '{appliance.Label}' holds none of the appliance's keys: it is not the appliance token, and its compliance keys are left alone");
        }
        var removed = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var keyClass in new[] { CKO.CKO_PRIVATE_KEY, CKO.CKO_PUBLIC_KEY })
        {
            foreach (var (handle, label) in TokenObjects.FindByLabelPrefix(session, keyClass, ComplianceKeyRoles.LabelPrefix))
            {
                session.DestroyObject(handle);
                removed.Add(label);
            }
        }
        return (IReadOnlyList<string>)removed.ToArray();
    });
}
