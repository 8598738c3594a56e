namespace Conclave.Browser.Tests;

/// <summary>Where tests keep what a person may want to look at afterwards: artifacts/ at the repository root.</summary>
internal static class Artifacts
{
    public static string Path(string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(System.IO.Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        string root = System.IO.Path.Combine(directory?.FullName ?? System.IO.Path.GetTempPath(), "artifacts", "screenshots");
        Directory.CreateDirectory(root);
        return System.IO.Path.Combine(root, name);
    }
}
