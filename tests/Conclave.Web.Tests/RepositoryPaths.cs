namespace Conclave.Web.Tests;

/// <summary>Where the checkout's files are, found from the test binaries.</summary>
internal static class RepositoryPaths
{
    public static string Root { get; } = FindRoot();

    /// <summary>The browser client's npm project (package.json, tsconfig.json, src/).</summary>
    public static string Client => Path.Combine(Root, "src", "Conclave.Web", "client");

    private static string FindRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) return directory.FullName;
        }
        throw new InvalidOperationException($"no Appliance.sln above {AppContext.BaseDirectory}");
    }
}
