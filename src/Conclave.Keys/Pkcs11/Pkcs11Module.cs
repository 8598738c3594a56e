using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// Each PKCS#11 module loaded once per process and shared by every token on it: Cryptoki is
/// initialised once per process (PKCS#11 v2.40 §5.4), and disposing a second Pkcs11Interop
/// instance of a module was seen to call C_Finalize for the first one as well.
/// </summary>
internal static class Pkcs11Module
{
    private static readonly ConcurrentDictionary<string, Lazy<IPkcs11Library>> Loaded = new(StringComparer.Ordinal);
    private static readonly Pkcs11InteropFactories Factories = new();

    /// <summary>
    /// Pkcs11Interop 5.3.0 loads modules through "libdl", which Debian 12 ships only as
    /// libdl.so.2 (the unversioned name comes with the development package).
    /// </summary>
    static Pkcs11Module() => NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, ResolveLibdl);

    public static IPkcs11Library Load(string modulePath)
    {
        if (!File.Exists(modulePath)) throw new TokenException($"PKCS#11 module {modulePath} does not exist");
        string path = Path.GetFullPath(modulePath);
        var library = Loaded.GetOrAdd(path, _ => new Lazy<IPkcs11Library>(
            () => Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded),
            LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return library.Value;
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException)
        {
            Loaded.TryRemove(path, out _);
            throw new TokenException($"PKCS#11 module {modulePath} could not be loaded: {e.Message}");
        }
    }

    /// <summary>Finalizes the module and initialises it afresh (see <see cref="TokenOptions.ReinitializeModuleToFindToken"/>).</summary>
    public static IPkcs11Library Reinitialize(string modulePath)
    {
        if (Loaded.TryRemove(Path.GetFullPath(modulePath), out var old) && old.IsValueCreated)
        {
            try { old.Value.Dispose(); } catch (Pkcs11Exception) { }
        }
        return Load(modulePath);
    }

    private static IntPtr ResolveLibdl(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == "libdl" && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero;
}
