using Conclave.Media.Sfu;
using Microsoft.Extensions.Hosting;

namespace Conclave.Web.Console;

/// <summary>
/// Every <see cref="Interval"/>, the media plane's byte counters per peer, turned into bits
/// per second for the dashboard: one snapshot on the media loop per interval, nothing per packet.
/// </summary>
public sealed class BitrateSampler(MediaPlane plane) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);

    private Dictionary<string, (long Published, long Received)> _lastBytes = new(StringComparer.Ordinal);
    private volatile IReadOnlyDictionary<string, PeerBitrate> _rates = new Dictionary<string, PeerBitrate>();

    /// <summary>Bits per second each peer publishes and receives, over the last interval.</summary>
    public IReadOnlyDictionary<string, PeerBitrate> Rates => _rates;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            MediaPlaneStats stats;
            try
            {
                stats = await plane.GetStatsAsync();
            }
            catch (ObjectDisposedException)
            {
                return;
            }
            var bytes = new Dictionary<string, (long, long)>(StringComparer.Ordinal);
            var rates = new Dictionary<string, PeerBitrate>(StringComparer.Ordinal);
            foreach (var peer in stats.Rooms.SelectMany(r => r.Peers))
            {
                bytes[peer.PeerId] = (peer.BytesPublished, peer.BytesForwardedTo);
                if (_lastBytes.TryGetValue(peer.PeerId, out var last))
                {
                    rates[peer.PeerId] = new PeerBitrate(
                        (long)((peer.BytesPublished - last.Published) * 8 / Interval.TotalSeconds),
                        (long)((peer.BytesForwardedTo - last.Received) * 8 / Interval.TotalSeconds));
                }
            }
            _lastBytes = bytes;
            _rates = rates;
        }
    }
}

public sealed record PeerBitrate(long PublishedBitsPerSecond, long ReceivedBitsPerSecond);
