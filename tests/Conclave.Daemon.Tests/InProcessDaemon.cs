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

    internal Conclave.Testing.TestMeetings Meetings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Daemon = await DaemonHost.StartAsync(
        [
            "--Conclave:Https=127.0.0.1:0",
            "--Conclave:Media=127.0.0.1:0",
            $"--Conclave:StateDirectory={_stateDirectory}",
        ]);
        Meetings = new Conclave.Testing.TestMeetings(Daemon.App.Services);
    }

    /// <summary>A signalling socket of a new roster member of <paramref name="room"/>; join with <c>room = meetingId</c>.</summary>
    internal async Task<(SignallingClient Client, string MeetingId)> ConnectMemberAsync(string room, string name = "Member", string? origin = null)
    {
        var (meetingId, cookie) = Meetings.Member(room, name);
        return (await SignallingClient.ConnectAsync(Daemon.HttpsUri, cookie, origin), meetingId);
    }

    public async Task DisposeAsync()
    {
        if (Daemon is not null) await Daemon.DisposeAsync();
        if (Directory.Exists(_stateDirectory)) Directory.Delete(_stateDirectory, recursive: true);
    }
}
