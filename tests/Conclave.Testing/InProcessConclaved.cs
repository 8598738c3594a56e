using Conclave.Daemon;
using Conclave.Media.Sfu;

namespace Conclave.Testing;

/// <summary>
/// One conclaved in this process, on free loopback ports, in a state directory of its own
/// that leads to the development token. A process logs in to a token once, so a test
/// assembly starts one and shares it as a collection fixture.
/// </summary>
public sealed class InProcessConclaved : IAsyncDisposable
{
    private InProcessConclaved(string stateDirectory, RunningDaemon daemon)
    {
        StateDirectory = stateDirectory;
        Daemon = daemon;
        Meetings = new TestMeetings(daemon.App.Services);
    }

    public string StateDirectory { get; }

    public RunningDaemon Daemon { get; }

    /// <summary>Meetings and members made through the daemon's stores.</summary>
    public TestMeetings Meetings { get; }

    /// <param name="forwardTap">Sees every packet the SFU forwards.</param>
    /// <param name="prepare">Runs on the new state directory before conclaved starts (what an operator does first, through conclavectl).</param>
    /// <param name="configuration">More command-line configuration, such as <c>--Conclave:SharedFiles:MaxFileBytes=1024</c>.</param>
    public static async Task<InProcessConclaved> StartAsync(IForwardTap? forwardTap = null, Action<string>? prepare = null, IEnumerable<string>? configuration = null)
    {
        string stateDirectory = DevelopmentTokenState.NewStateDirectory();
        try
        {
            prepare?.Invoke(stateDirectory);
            var daemon = await DaemonHost.StartAsync(
            [
                "--Conclave:Https=127.0.0.1:0",
                "--Conclave:Media=127.0.0.1:0",
                $"--Conclave:StateDirectory={stateDirectory}",
                .. configuration ?? [],
            ], forwardTap);
            return new InProcessConclaved(stateDirectory, daemon);
        }
        catch
        {
            Directory.Delete(stateDirectory, recursive: true);
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await Daemon.DisposeAsync();
        if (Directory.Exists(StateDirectory)) Directory.Delete(StateDirectory, recursive: true);
    }
}
