namespace Conclave.Daemon.Tests;

/// <summary>One conclaved in this process on free loopback ports, shared by a test class.</summary>
public sealed class InProcessDaemon : IAsyncLifetime
{
    private readonly string _stateDirectory = Path.Combine(Path.GetTempPath(), "conclave-daemon-" + Guid.NewGuid().ToString("N"));

    public RunningDaemon Daemon { get; private set; } = null!;

    public async Task InitializeAsync() => Daemon = await DaemonHost.StartAsync(
    [
        "--Conclave:Https=127.0.0.1:0",
        "--Conclave:Media=127.0.0.1:0",
        $"--Conclave:StateDirectory={_stateDirectory}",
    ]);

    public async Task DisposeAsync()
    {
        if (Daemon is not null) await Daemon.DisposeAsync();
        if (Directory.Exists(_stateDirectory)) Directory.Delete(_stateDirectory, recursive: true);
    }
}
