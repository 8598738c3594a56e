using Conclave.Meetings.SharedFiles;
using Conclave.Web.SharedFiles;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conclave.Daemon.SharedFiles;

/// <summary>
/// Shared files across the daemon's life (docs/content-sharing.md): at start every room is empty,
/// so files of rooms a stop or crash emptied begin their retention, and uploads it cut short go;
/// then at start and every hour, files whose room has been empty for the setting are shredded.
/// The index row goes last, so a crash between destroying the key and forgetting the file only
/// means the shred runs again.
/// </summary>
internal sealed partial class SharedFileLifetime(SharedFileService files, SharedFileStore store, TimeProvider time, ILogger<SharedFileLifetime> logger)
    : IHostedService, IDisposable
{
    public static readonly TimeSpan ShreddingInterval = TimeSpan.FromHours(1);

    private readonly Lock _shredding = new();
    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        files.Started();
        Shred();
        _timer = time.CreateTimer(_ => Shred(), null, ShreddingInterval, ShreddingInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public void Dispose() => _timer?.Dispose();

    private void Shred()
    {
        lock (_shredding)
        {
            try
            {
                foreach (var due in files.DueForShredding())
                {
                    store.Shred(due.MeetingId, due.FileId);
                    files.Shredded(due);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Tried again within the hour; the file stays indexed until it is gone.
                LogShreddingFailed(logger, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Shredding a shared file whose retention ended failed: {Reason}")]
    private static partial void LogShreddingFailed(ILogger logger, string reason);
}
