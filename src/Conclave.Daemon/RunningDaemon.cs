using Conclave.Media.Sfu;
using Conclave.Meetings.Audit;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Conclave.Daemon;

/// <summary>A started daemon: where it listens, and the way to stop it.</summary>
public sealed class RunningDaemon : IAsyncDisposable
{
    private readonly TokenCustody _custody;

    private readonly RefusalAggregator _audit;

    private readonly Conclave.Storage.StateLock _stateLock;

    private readonly IDisposable _recorder;

    internal RunningDaemon(WebApplication app, MediaPlane mediaPlane, TokenCustody custody, RefusalAggregator audit, Uri httpsUri, Uri? setupLink,
        Conclave.Storage.StateLock stateLock, IDisposable recorder)
    {
        _recorder = recorder;
        _audit = audit;
        _stateLock = stateLock;
        SetupLink = setupLink;
        App = app;
        MediaPlane = mediaPlane;
        _custody = custody;
        HttpsUri = httpsUri;
    }

    /// <summary>The token's certificate that HTTPS serves.</summary>
    public System.Security.Cryptography.X509Certificates.X509Certificate2 Certificate => _custody.Certificate;

    public WebApplication App { get; }
    public MediaPlane MediaPlane { get; }
    public Uri HttpsUri { get; }

    /// <summary>The one-time link that creates the first admin, printed at start while no admin exists.</summary>
    public Uri? SetupLink { get; }

    public Task WaitForShutdownAsync() => App.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        MediaPlane.Dispose();
        // After the media plane: nothing is tapped any more; recordings were closed when the app stopped.
        _recorder.Dispose();
        // Last: refusals counted so far are written, the stop is audited and the log closed with a signed checkpoint.
        _audit.Dispose();
        _audit.DaemonStopped();
        _custody.Dispose();
        _stateLock.Dispose();
    }
}
