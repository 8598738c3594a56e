using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Conclave.Keys.Pkcs11;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys;

/// <summary>
/// SoftHSM2 tokens for development, kept under the state directory (never system-wide):
/// its configuration and token files, the appliance token's PINs in 0600 files — which
/// production replaces with the vendor's token and a systemd credential. The development
/// compliance token sits beside the appliance's, its PINs outside the state directory.
/// </summary>
public static class DevelopmentToken
{
    public const string SoftHsmModulePath = "/usr/lib/softhsm/libsofthsm2.so";
    public const string PinFileName = "token-pin";
    public const string SecurityOfficerPinFileName = "token-so-pin";

    private const string PinAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";

    public static string ConfigurationPath(string stateDirectory) => Path.Combine(stateDirectory, "softhsm", "softhsm2.conf");

    /// <summary>
    /// Points SoftHSM2 at the state directory's configuration. Must run before the
    /// module loads; it sets the native environment, which .NET's
    /// Environment.SetEnvironmentVariable does not reach on Linux.
    /// </summary>
    public static void UseConfiguration(string stateDirectory)
    {
        string configuration = ConfigurationPath(stateDirectory);
        if (!File.Exists(configuration)) return;
        if (SetEnvironment("SOFTHSM2_CONF", configuration, 1) != 0) throw new TokenException("could not set SOFTHSM2_CONF");
    }

    /// <summary>Whether the state directory's SoftHSM2 holds a token labelled <paramref name="label"/>; creates nothing.</summary>
    public static bool Exists(string stateDirectory, string label)
    {
        if (!File.Exists(ConfigurationPath(stateDirectory))) return false;
        UseConfiguration(stateDirectory);
        return TokenSession.FindSlot(Pkcs11Module.Load(SoftHsmModulePath), label) is not null;
    }

    /// <summary>
    /// Creates the appliance's token if it is not there yet, its PINs in the state directory;
    /// returns true when it was created.
    /// </summary>
    public static bool Initialize(string stateDirectory, string label) =>
        Initialize(stateDirectory, label, Path.Combine(stateDirectory, PinFileName), Path.Combine(stateDirectory, SecurityOfficerPinFileName));

    /// <summary>
    /// Creates a token labelled <paramref name="label"/> in the state directory's SoftHSM2 (the
    /// one configuration every development token of that directory shares) if it is not there
    /// yet, and writes its user and security officer PINs, 0600, where told; returns true when
    /// it was created.
    /// </summary>
    public static bool Initialize(string stateDirectory, string label, string pinPath, string securityOfficerPinPath)
    {
        string directory = Path.Combine(stateDirectory, "softhsm");
        string tokens = Path.Combine(directory, "tokens");
        Directory.CreateDirectory(tokens);
        string configuration = ConfigurationPath(stateDirectory);
        if (!File.Exists(configuration))
        {
            File.WriteAllText(configuration, $"directories.tokendir = {tokens}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\n");
        }
        UseConfiguration(stateDirectory);
        var library = Pkcs11Module.Load(SoftHsmModulePath);
        if (TokenSession.FindSlot(library, label) is not null) return false;

        var free = library.GetSlotList(SlotsType.WithTokenPresent).FirstOrDefault(IsFree)
            ?? throw new TokenException("SoftHSM2 offers no free slot for a new token");
        string securityOfficerPin = RandomNumberGenerator.GetString(PinAlphabet, 24);
        string userPin = RandomNumberGenerator.GetString(PinAlphabet, 24);
        free.InitToken(securityOfficerPin, label);
        // SoftHSM2 renumbers slots once a token is initialised: find it again by label.
        var slot = TokenSession.FindSlot(library, label) ?? throw new TokenException($"the new token '{label}' did not appear");
        using (var session = slot.OpenSession(SessionType.ReadWrite))
        {
            session.Login(CKU.CKU_SO, securityOfficerPin);
            session.InitPin(userPin);
            session.Logout();
        }
        WriteSecret(securityOfficerPinPath, securityOfficerPin);
        WriteSecret(pinPath, userPin);
        return true;
    }

    /// <summary>An uninitialised token; a slot whose token cannot answer (being removed) is not one.</summary>
    private static bool IsFree(ISlot slot)
    {
        try
        {
            return !slot.GetTokenInfo().TokenFlags.TokenInitialized;
        }
        catch (Pkcs11Exception)
        {
            return false;
        }
    }

    private static void WriteSecret(string path, string secret)
    {
        var options = new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write };
        // The appliance is Linux; the guard only tells the analyzer so.
        if (!OperatingSystem.IsWindows()) options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using var stream = new FileStream(path, options);
        using var writer = new StreamWriter(stream);
        writer.Write(secret);
    }

    [DllImport("libc", EntryPoint = "setenv")]
    private static extern int SetEnvironment([MarshalAs(UnmanagedType.LPUTF8Str)] string name, [MarshalAs(UnmanagedType.LPUTF8Str)] string value, int overwrite);
}
