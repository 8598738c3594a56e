
namespace Conclave.Storage.Tests;

[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StateDirectoryTests
{
    [Fact]
    public void An_absent_state_directory_is_created_for_its_owner_alone()
    {
        string parent = Directory.CreateTempSubdirectory("conclave-parent-").FullName;
        string state = Path.Combine(parent, "state");

        Assert.True(StateDirectory.TryPrepare(state, out var refusal), refusal);

        Assert.Equal(StateDirectory.OwnerOnly, File.GetUnixFileMode(state));
    }

    [Fact]
    public void A_file_where_the_state_directory_should_be_is_refused()
    {
        string file = Path.GetTempFileName();

        Assert.False(StateDirectory.TryPrepare(file, out var refusal));
        Assert.Equal($"state directory {file} is a file, not a directory", refusal);
    }

    [Fact]
    public void A_world_readable_state_directory_is_refused_and_left_as_it_was()
    {
        string state = Directory.CreateTempSubdirectory("conclave-state-").FullName;
        var open = StateDirectory.OwnerOnly | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        File.SetUnixFileMode(state, open);

        Assert.False(StateDirectory.TryPrepare(state, out var refusal));
        Assert.Contains("(mode 0705)", refusal);
        Assert.Equal(open, File.GetUnixFileMode(state));
    }
}
