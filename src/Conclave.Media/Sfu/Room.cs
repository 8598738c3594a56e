namespace Conclave.Media.Sfu;

/// <summary>
/// A set of peers that receive each other's streams (mediasoup's Router). It holds
/// only the routing: who publishes what, and who consumes it.
/// NOTE: every member runs on the media loop thread.
/// </summary>
public sealed class Room(string id)
{
    private readonly List<Peer> _peers = new();

    public string Id { get; } = id;

    public IReadOnlyList<Peer> Peers => _peers;

    /// <summary>The room's current MLS epoch, once its group exists.</summary>
    public ulong? Epoch { get; internal set; }

    /// <summary>Adds a peer and gives it a consumer for every stream already published.</summary>
    internal void Add(Peer peer)
    {
        foreach (var other in _peers)
        {
            if (other.AudioProducer is { } audio) peer.AddConsumer(audio);
            if (other.VideoProducer is { } video) peer.AddConsumer(video);
        }
        _peers.Add(peer);
    }

    /// <summary>A peer's answer revealed a new stream: offer it to everyone else.</summary>
    internal void OnPublished(Producer producer)
    {
        foreach (var other in _peers)
        {
            if (other.Id == producer.PublisherId || other.IsClosed) continue;
            other.AddConsumer(producer);
            other.Renegotiate();
        }
    }

    /// <summary>Whether a peer of this room already sends or receives under <paramref name="ssrc"/>.</summary>
    internal bool IsSsrcTaken(uint ssrc)
    {
        foreach (var peer in _peers)
        {
            if (!peer.IsClosed && peer.UsesSsrc(ssrc)) return true;
        }
        return false;
    }

    internal void Remove(Peer peer)
    {
        if (!_peers.Remove(peer)) return;
        foreach (var consumer in peer.Consumers.ToArray())
        {
            consumer.Producer.Remove(consumer);
        }
        foreach (var other in _peers)
        {
            if (other.RemoveConsumersOf(peer.Id)) other.Renegotiate();
        }
    }
}
