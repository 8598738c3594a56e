using Conclave.Keys.Roles;

namespace Conclave.Keys;

/// <summary>Which PKCS#11 module, which token (by label, never by slot index), which key labels.</summary>
public sealed class TokenOptions
{
    /// <summary>Debian's SoftHSM2 in development; the vendor's module in production.</summary>
    public string ModulePath { get; set; } = "/usr/lib/softhsm/libsofthsm2.so";

    public string TokenLabel { get; set; } = "conclave";

    /// <summary>Label overrides per role; roles absent here use <see cref="KeyRoles.DefaultLabel"/>.</summary>
    public Dictionary<KeyRole, string> KeyLabels { get; set; } = new();

    public string LabelOf(KeyRole role) => KeyLabels.TryGetValue(role, out var label) ? label : KeyRoles.DefaultLabel(role);
}
