namespace Conclave.Testing;

/// <summary>Files of the repository (vector files, artifacts/), found from the directory holding Appliance.sln.</summary>
public static class RepositoryFiles
{
    public static string PathOf(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        if (directory is null) throw new DirectoryNotFoundException($"no Appliance.sln above {AppContext.BaseDirectory}");
        return Path.Combine([directory.FullName, .. parts]);
    }
}
