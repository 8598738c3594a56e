using Conclave.Crypto.Envelopes;
using Conclave.Meetings.Recordings;
using Conclave.Recording.Recorder;
using Conclave.Web.Recording;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Conclave.Daemon.Recording;

/// <summary>
/// Recordings across the daemon's life (docs/recording.md): at start, recordings a crash left
/// open get their manifests recovered and are indexed as stopped; every hour, recordings whose
/// retention ended are shredded; at stop, those still running are closed.
/// </summary>
internal sealed partial class RecordingLifetime(RecordingService recordings, MeetingRecordings meetings, RecorderOptions options,
    IDataKeyWrapper storageKek, TimeProvider time, ILogger<RecordingLifetime> logger) : IHostedService, IDisposable
{
    private static readonly TimeSpan ShreddingInterval = TimeSpan.FromHours(1);

    private ITimer? _timer;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        Recover();
        _timer = time.CreateTimer(_ => Shred(), null, TimeSpan.Zero, ShreddingInterval);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => meetings.StopAllAsync(EndedBy.MeetingEnded);

    public void Dispose() => _timer?.Dispose();

    private void Recover()
    {
        var outcomes = RecordingRecovery.RecoverAll(options, storageKek);
        foreach (var outcome in outcomes)
        {
            if (outcome.Problem is { } problem) LogRecoveryFailed(logger, outcome.Directory, problem);
        }
        foreach (var unfinished in recordings.Unfinished())
        {
            var recovered = outcomes.FirstOrDefault(o => Path.GetFileName(o.Directory) == unfinished.Id)?.Manifest;
            recordings.Stopped(unfinished.Id, EndedBy.RecoveredAfterCrash, recovered?.Segments.Sum(s => s.Bytes) ?? 0, recovered?.Sha256() ?? [], escrowBlobs: null);
            LogRecovered(logger, unfinished.Id, recovered?.Segments.Count ?? 0);
        }
    }

    private void Shred()
    {
        try
        {
            foreach (var due in recordings.DueForShredding())
            {
                RecordingShredder.Shred(options, due.Id);
                recordings.Shredded(due);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Tried again within the hour; the recording stays listed until it is gone.
            LogShreddingFailed(logger, e.Message);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording {RecordingId} was open when conclaved stopped; its {Segments} sealed segments are kept")]
    private static partial void LogRecovered(ILogger logger, string recordingId, int segments);

    [LoggerMessage(Level = LogLevel.Error, Message = "Recording directory {Directory} could not be recovered: {Problem}")]
    private static partial void LogRecoveryFailed(ILogger logger, string directory, string problem);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shredding a recording whose retention ended failed: {Reason}")]
    private static partial void LogShreddingFailed(ILogger logger, string reason);
}
