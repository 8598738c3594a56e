namespace Conclave.Recording.Tests.Export;

/// <summary>Files of the repository (vector files), found from the directory holding Appliance.sln.</summary>
internal static class RepositoryFiles
{
    public static string PathOf(params string[] parts)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Appliance.sln"))) directory = directory.Parent;
        if (directory is null) throw new DirectoryNotFoundException($"no Appliance.sln above {AppContext.BaseDirectory}");
        return Path.Combine([directory.FullName, .. parts]);
    }
}
