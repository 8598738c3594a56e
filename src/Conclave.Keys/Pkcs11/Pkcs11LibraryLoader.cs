using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;
using Net.Pkcs11Interop.Common;
using Net.Pkcs11Interop.HighLevelAPI;

namespace Conclave.Keys.Pkcs11;

/// <summary>
/// Loads a PKCS#11 module once per process (DESIGN.md: disposing a second instance
/// calls C_Finalize for both). Pkcs11Interop 5.3.0 asks for "libdl", which Debian 12
/// ships only as libdl.so.2 without the development symlink.
/// </summary>
internal static class Pkcs11LibraryLoader
{
    private static readonly ConcurrentDictionary<string, Lazy<IPkcs11Library>> Libraries = new(StringComparer.Ordinal);
    private static int _resolverInstalled;

    public static Pkcs11InteropFactories Factories { get; } = new();

    public static IPkcs11Library Load(string modulePath)
    {
        InstallLibdlResolver();
        if (!File.Exists(modulePath)) throw new TokenException($"PKCS#11 module {modulePath} does not exist");
        var library = Libraries.GetOrAdd(Path.GetFullPath(modulePath), path => new Lazy<IPkcs11Library>(
            () => Factories.Pkcs11LibraryFactory.LoadPkcs11Library(Factories, path, AppType.MultiThreaded),
            LazyThreadSafetyMode.ExecutionAndPublication));
        try
        {
            return library.Value;
        }
        catch (Exception e) when (e is Pkcs11Exception or UnmanagedException or DllNotFoundException)
        {
            Libraries.TryRemove(Path.GetFullPath(modulePath), out _);
            throw new TokenException($"PKCS#11 module {modulePath} could not be loaded: {e.Message}");
        }
    }

    /// <summary>Finalizes the module and initialises it afresh (see <see cref="TokenOptions.ReinitializeModuleToFindToken"/>).</summary>
    public static IPkcs11Library Reinitialize(string modulePath)
    {
        if (Libraries.TryRemove(Path.GetFullPath(modulePath), out var old) && old.IsValueCreated)
        {
            try { old.Value.Dispose(); } catch (Pkcs11Exception) { }
        }
        return Load(modulePath);
    }

    private static void InstallLibdlResolver()
    {
        if (Interlocked.Exchange(ref _resolverInstalled, 1) == 1) return;
        NativeLibrary.SetDllImportResolver(typeof(Pkcs11InteropFactories).Assembly, Resolve);
    }

    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? searchPath) =>
        name == "libdl" && NativeLibrary.TryLoad("libdl.so.2", out var handle) ? handle : IntPtr.Zero;
}
