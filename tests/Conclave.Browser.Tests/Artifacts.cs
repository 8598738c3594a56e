namespace Conclave.Browser.Tests;

/// <summary>Where tests keep what a person may want to look at afterwards: artifacts/ at the repository root.</summary>
internal static class Artifacts
{
    public static string Path(string name)
    {
        string root = Conclave.Testing.RepositoryFiles.PathOf("artifacts", "screenshots");
        Directory.CreateDirectory(root);
        return System.IO.Path.Combine(root, name);
    }
}
