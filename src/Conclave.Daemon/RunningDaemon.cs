using Conclave.Media.Sfu;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;

namespace Conclave.Daemon;

/// <summary>A started daemon: where it listens, and the way to stop it.</summary>
public sealed class RunningDaemon : IAsyncDisposable
{
    internal RunningDaemon(WebApplication app, MediaPlane mediaPlane, Uri httpsUri)
    {
        App = app;
        MediaPlane = mediaPlane;
        HttpsUri = httpsUri;
    }

    public WebApplication App { get; }
    public MediaPlane MediaPlane { get; }
    public Uri HttpsUri { get; }

    public Task WaitForShutdownAsync() => App.WaitForShutdownAsync();

    public async ValueTask DisposeAsync()
    {
        await App.StopAsync();
        await App.DisposeAsync();
        MediaPlane.Dispose();
    }
}
