namespace Conclave.Daemon.Tests;

/// <summary>
/// One conclaved in this process on free loopback ports. One at a time: a process
/// logs in to a token once, so the classes that use it share it as a collection.
/// </summary>
[CollectionDefinition(Name)]
public sealed class InProcessDaemonCollection : ICollectionFixture<InProcessDaemon>
{
    public const string Name = "in-process daemon";
}

public sealed class InProcessDaemon : IAsyncLifetime
{
    private readonly string _stateDirectory = Conclave.Testing.DevelopmentTokenState.NewStateDirectory();

    public string StateDirectory => _stateDirectory;

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
