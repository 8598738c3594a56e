using Conclave.Testing;

namespace Conclave.Appliance.Tests;

/// <summary>The boot test's image (image/build.sh --test-layer), built when it is missing or out of date.</summary>
public sealed record ApplianceImage(string RootImage, string Kernel, string Initrd, TimeSpan BuildTime)
{
    /// <summary>A build from nothing (the package, mmdebstrap from the mirror, both images) takes 5–10 min on two busy cores.</summary>
    private static readonly TimeSpan BuildTimeout = TimeSpan.FromMinutes(15);

    public static async Task<ApplianceImage> BuildAsync()
    {
        string directory = RepositoryFiles.PathOf("artifacts", "image");
        Directory.CreateDirectory(directory);
        string log = Path.Combine(directory, "build.log");
        var build = await HostCommand.RunAsync("bash", [RepositoryFiles.PathOf("image", "build.sh"), "--test-layer"], BuildTimeout, log,
            RepositoryFiles.PathOf());
        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"image/build.sh --test-layer exited with {build.ExitCode} (whole log: {log}):\n{HostCommand.Tail(build.Output, 40)}");
        }
        return new ApplianceImage(Path.Combine(directory, "root-test.img"), Path.Combine(directory, "vmlinuz"), Path.Combine(directory, "initrd.img"), build.Elapsed);
    }
}
