using Conclave.Testing;

namespace Conclave.Daemon.Tests;

/// <summary>
/// The state directory (password hashes, sealed TOTP seeds, sessions, the audit log, the
/// lock) is its owner's alone: 0700, its files 0600, whatever umask conclaved starts with;
/// a directory group or others can use is refused with one line and exit 2.
/// </summary>
[System.Runtime.Versioning.SupportedOSPlatform("linux")]
public sealed class StateDirectoryModeTests
{
    private const UnixFileMode GroupOrOthers =
        UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute |
        UnixFileMode.OtherRead | UnixFileMode.OtherWrite | UnixFileMode.OtherExecute;

    [Fact]
    public async Task Under_umask_0022_every_file_conclaved_creates_is_the_owners_alone()
    {
        string state = DevelopmentTokenState.NewStateDirectory();
        await DaemonProcess.RunUntilReadyThenStopAsync("0022",
            $"--Conclave:StateDirectory={state}", "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0");

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(state));
        string[] created = ["conclave.db", "audit.log", Conclave.Storage.StateLock.FileName];
        foreach (string name in created)
        {
            Assert.True(File.Exists(Path.Combine(state, name)), $"{name} was not created");
        }
        var before = DateTime.UtcNow.AddMinutes(-5);
        foreach (string file in Directory.GetFiles(state))
        {
            if (File.GetCreationTimeUtc(file) < before || Path.GetFileName(file) == "token-pin") continue;
            Assert.True((File.GetUnixFileMode(file) & GroupOrOthers) == 0,
                $"{Path.GetFileName(file)} is {File.GetUnixFileMode(file)}: group or others can read it");
        }
    }

    [Theory]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute, "0755")]
    [InlineData(UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.GroupExecute, "0770")]
    public async Task A_state_directory_group_or_others_can_use_stops_the_start_with_one_line(UnixFileMode extra, string octal)
    {
        string state = DevelopmentTokenState.NewStateDirectory();
        File.SetUnixFileMode(state, Conclave.Storage.StateDirectory.OwnerOnly | extra);

        var (exitCode, stderr, _) = await DaemonProcess.RunUntilExitAsync(
            $"--Conclave:StateDirectory={state}", "--Conclave:Https=127.0.0.1:0", "--Conclave:Media=127.0.0.1:0");

        Assert.Equal(2, exitCode);
        string line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"conclaved: state directory {state} is open to group or others (mode {octal}): it holds password hashes and the audit log; make it the service account's alone (chmod 700 {state})", line);
        Assert.False(File.Exists(Path.Combine(state, "conclave.db")), "nothing is written to a refused state directory");
    }
}
