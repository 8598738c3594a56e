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

    /// <summary>
    /// When the token is missing after it went away, initialise the module again
    /// (C_Finalize, C_Initialize) before looking for it once more. Hot-plug modules (a
    /// smart-card reader's) see a token come back in C_GetSlotList and need no such thing;
    /// some only see it after re-initialisation (p11-kit's client after its server
    /// restarted). Only for a process where nothing else uses the module: conclaved's
    /// HTTPS key goes through OpenSSL's pkcs11 engine, and a C_Finalize under it (SoftHSM2)
    /// hung the caller, so conclaved leaves this off (docs/notes.md).
    /// </summary>
    public bool ReinitializeModuleToFindToken { get; set; }

    public string LabelOf(KeyRole role) => KeyLabels.TryGetValue(role, out var label) ? label : KeyRoles.DefaultLabel(role);
}
