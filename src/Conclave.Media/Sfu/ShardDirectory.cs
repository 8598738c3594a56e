using System.Collections.Concurrent;
using System.Net;

namespace Conclave.Media.Sfu;

/// <summary>
/// What the plane's loops share: which loop owns each room, each ICE ufrag and each proved
/// address. Read only when a loop meets a datagram that is not its own (a remote the kernel
/// gave to its socket before the owner steered it), and written when peers come and go: never
/// on a steered peer's packet path.
/// </summary>
internal sealed class ShardDirectory
{
    private readonly ConcurrentDictionary<string, MediaShard> _byUfrag = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, MediaShard>.AlternateLookup<ReadOnlySpan<char>> _byUfragSpan;
    private readonly ConcurrentDictionary<SocketAddress, MediaShard> _byAddress = new();
    private readonly Lock _placementLock = new();
    private readonly Dictionary<string, Placement> _placements = new(StringComparer.Ordinal);
    private readonly int[] _roomsPlaced;
    private IReadOnlyList<MediaShard> _shards = [];

    public ShardDirectory(int shardCount)
    {
        _byUfragSpan = _byUfrag.GetAlternateLookup<ReadOnlySpan<char>>();
        _roomsPlaced = new int[shardCount];
    }

    /// <summary>Set once the loops exist (each is made with this directory).</summary>
    public void SetShards(IReadOnlyList<MediaShard> shards) => _shards = shards;

    // ---- rooms: one loop each, for as long as the room has peers or joins on the way ----

    /// <summary>
    /// The loop that owns <paramref name="roomId"/>; a room not yet placed goes to the loop with
    /// the fewest rooms. <paramref name="joining"/> counts a join on its way to that loop, so the
    /// room stays placed there even if it empties before the join arrives.
    /// </summary>
    public MediaShard Place(string roomId, bool joining)
    {
        lock (_placementLock)
        {
            if (!_placements.TryGetValue(roomId, out var placement))
            {
                int fewest = 0;
                for (int i = 1; i < _roomsPlaced.Length; i++)
                {
                    if (_roomsPlaced[i] < _roomsPlaced[fewest]) fewest = i;
                }
                placement = new Placement(fewest);
                _placements.Add(roomId, placement);
                _roomsPlaced[fewest]++;
            }
            if (joining) placement.JoinsOnTheWay++;
            return _shards[placement.Shard];
        }
    }

    /// <summary>The loop that owns <paramref name="roomId"/>, or null when it is placed nowhere.</summary>
    public MediaShard? PlacementOf(string roomId)
    {
        lock (_placementLock) return _placements.TryGetValue(roomId, out var placement) ? _shards[placement.Shard] : null;
    }

    /// <summary>A join counted by <see cref="Place"/> reached its loop.</summary>
    public void JoinArrived(string roomId)
    {
        lock (_placementLock)
        {
            if (_placements.TryGetValue(roomId, out var placement)) placement.JoinsOnTheWay--;
        }
    }

    /// <summary>The room's last peer left its loop: the room may be placed anew, unless a join is on its way.</summary>
    public void RoomEmptied(string roomId)
    {
        lock (_placementLock)
        {
            if (!_placements.TryGetValue(roomId, out var placement) || placement.JoinsOnTheWay > 0) return;
            _placements.Remove(roomId);
            _roomsPlaced[placement.Shard]--;
        }
    }

    // ---- ufrags and proved addresses ----

    public void BindUfrag(string ufrag, MediaShard shard) => _byUfrag[ufrag] = shard;

    public void ReleaseUfrag(string ufrag, MediaShard shard) => _byUfrag.TryRemove(new KeyValuePair<string, MediaShard>(ufrag, shard));

    public MediaShard? OwnerOfUfrag(ReadOnlySpan<char> ufrag) => _byUfragSpan.TryGetValue(ufrag, out var shard) ? shard : null;

    /// <summary>
    /// <paramref name="address"/> (a copy no one changes) is <paramref name="shard"/>'s now; a
    /// loop that held it before is told to let it go.
    /// </summary>
    public void BindAddress(SocketAddress address, MediaShard shard)
    {
        MediaShard? previous = null;
        _byAddress.AddOrUpdate(address, shard, (_, old) =>
        {
            previous = old;
            return shard;
        });
        if (previous is not null && previous != shard) previous.Loop.Post(() => previous.ForgetAddress(address));
    }

    public void ReleaseAddress(SocketAddress address, MediaShard shard) => _byAddress.TryRemove(new KeyValuePair<SocketAddress, MediaShard>(address, shard));

    public MediaShard? OwnerOfAddress(SocketAddress address) => _byAddress.TryGetValue(address, out var shard) ? shard : null;

    public static SocketAddress Copy(SocketAddress address)
    {
        var copy = new SocketAddress(address.Family, address.Size);
        address.Buffer.Span[..address.Size].CopyTo(copy.Buffer.Span);
        return copy;
    }

    private sealed class Placement(int shard)
    {
        public int Shard { get; } = shard;
        public int JoinsOnTheWay { get; set; }
    }
}
