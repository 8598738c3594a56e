using System.Net;
using Conclave.Media.Diagnostics;
using Conclave.Media.Dtls;

namespace Conclave.Media.Sfu;

/// <summary>
/// The SFU on one media port, run by one loop per socket (<see cref="MediaPlaneOptions.Sockets"/>:
/// one per core in production, all bound to the port with SO_REUSEPORT). Each room lives on one
/// loop, placed when it opens on the loop with the fewest rooms, so a packet and everything it
/// fans out to stay on one thread and the packet path takes no lock. A peer's proved address is
/// steered to its room's loop (<see cref="Transport.UdpDatagramSocket.Steer"/>); what the kernel
/// hands another loop before that is passed on (<see cref="MediaShard"/>).
/// </summary>
public sealed class MediaPlane : IDisposable
{
    private readonly MediaShard[] _shards;
    private readonly ShardDirectory _directory;

    /// <summary>Takes ownership of the options' sockets and certificate: <see cref="Dispose"/> releases them.</summary>
    public MediaPlane(MediaPlaneOptions options)
    {
        var sockets = options.Sockets;
        if (sockets.Count == 0) throw new ArgumentException("a media plane needs at least one socket", nameof(options));
        Certificate = options.Certificate;
        LocalEndPoint = sockets[0].LocalEndPoint;
        var advertised = options.AdvertisedAddress ?? LocalEndPoint.Address;
        if (advertised.Equals(IPAddress.Any) || advertised.Equals(IPAddress.IPv6Any) || sockets.Any(s => !s.LocalEndPoint.Equals(LocalEndPoint)))
        {
            foreach (var socket in sockets) socket.Dispose();
            throw new ArgumentException(advertised.Equals(IPAddress.Any) || advertised.Equals(IPAddress.IPv6Any)
                ? "the media port listens on a wildcard address: set the advertised address browsers should send to"
                : "every loop's socket must be bound to the one media port");
        }
        CandidateEndPoint = new IPEndPoint(advertised, LocalEndPoint.Port);
        _directory = new ShardDirectory(sockets.Count);
        _shards = sockets.Select(socket => new MediaShard(socket, CandidateEndPoint, options, Drops, _directory)).ToArray();
        _directory.SetShards(_shards);
    }

    public IPEndPoint LocalEndPoint { get; }

    /// <summary>The ICE host candidate given to browsers.</summary>
    public IPEndPoint CandidateEndPoint { get; }

    /// <summary>Every loop's drops, by reason.</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>This process's DTLS certificate; its fingerprint goes into every offer (RFC 8122).</summary>
    public DtlsCertificate Certificate { get; }

    /// <summary>The loops, in the order of their sockets.</summary>
    internal IReadOnlyList<MediaShard> Shards => _shards;

    /// <summary>The loop that owns <paramref name="roomId"/>, placing the room if it is not yet.</summary>
    internal MediaShard ShardFor(string roomId) => _directory.Place(roomId, joining: false);

    /// <summary>Raised when a packet handler or command threw, on that loop's thread; the loop goes on.</summary>
    public event Action<Exception>? Faulted
    {
        add { foreach (var shard in _shards) shard.Faulted += value; }
        remove { foreach (var shard in _shards) shard.Faulted -= value; }
    }

    /// <summary>Raised on the room's loop thread when a peer leaves or is dropped.</summary>
    public event Action<string, string?>? PeerClosed
    {
        add { foreach (var shard in _shards) shard.PeerClosed += value; }
        remove { foreach (var shard in _shards) shard.PeerClosed -= value; }
    }

    public void Start()
    {
        foreach (var shard in _shards) shard.Start();
    }

    /// <summary>Creates a peer in <paramref name="roomId"/>, on the room's loop (the room opens on first use).</summary>
    public Task<PeerHandle> JoinAsync(string roomId, IPeerSignalSink sink) => _directory.Place(roomId, joining: true).JoinAsync(roomId, sink);

    /// <summary>
    /// Asks every video publisher of the room for a key frame (a PLI, RFC 4585 §6.3.1),
    /// through each stream's throttle: a member who just joined the MLS group can open
    /// nothing before the next key frame. Safe from any thread.
    /// </summary>
    public void RequestKeyFrames(string roomId) => _directory.PlacementOf(roomId)?.RequestKeyFrames(roomId);

    /// <summary>
    /// The room's MLS group is at <paramref name="epoch"/> now: published media must carry
    /// SFrame under it or one of the two epochs before (<see cref="Room.Epoch"/>). The room
    /// need not exist yet (it is placed now). Safe from any thread.
    /// </summary>
    public void SetRoomEpoch(string roomId, ulong epoch) => _directory.Place(roomId, joining: false).SetRoomEpoch(roomId, epoch);

    /// <summary>Counters of every room and peer on every loop, for the console, the metrics and tests.</summary>
    public async Task<MediaPlaneStats> GetStatsAsync()
    {
        var perLoop = await Task.WhenAll(_shards.Select(shard => shard.GetStatsAsync()));
        return new MediaPlaneStats(perLoop.SelectMany(stats => stats.Rooms).ToList(), Drops.Snapshot());
    }

    public void Dispose()
    {
        foreach (var shard in _shards) shard.Dispose();
        Certificate.Dispose();
    }
}
