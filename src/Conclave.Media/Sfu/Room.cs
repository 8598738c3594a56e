using Conclave.Media.Diagnostics;

namespace Conclave.Media.Sfu;

/// <summary>
/// A set of peers that receive each other's streams (mediasoup's Router). It holds
/// only the routing: who publishes what, and who consumes it.
/// NOTE: every member runs on the media loop thread.
/// </summary>
public sealed class Room(string id)
{
    private readonly List<Peer> _peers = new();
    private RtpTraffic _forwardedToDeparted, _publishedByDeparted;

    public string Id { get; } = id;

    public IReadOnlyList<Peer> Peers => _peers;

    /// <summary>
    /// The room's current MLS epoch, as its delivery service last said; null until then,
    /// and every published packet is refused while it is (no key exists yet to seal it).
    /// </summary>
    public ulong? Epoch { get; internal set; }

    /// <summary>Drops caused by this room's peers once the packet was theirs (after ICE tied its address to a peer).</summary>
    public DropCounters Drops { get; } = new();

    /// <summary>Everything forwarded in this room since it opened, to peers present and departed: a counter that only rises.</summary>
    public RtpTraffic Forwarded
    {
        get
        {
            var total = _forwardedToDeparted;
            foreach (var peer in _peers) total += peer.Forwarded;
            return total;
        }
    }

    /// <summary>Everything published in this room since it opened, by peers present and departed.</summary>
    public RtpTraffic Published
    {
        get
        {
            var total = _publishedByDeparted;
            foreach (var peer in _peers) total += peer.Published;
            return total;
        }
    }

    /// <summary>Adds a peer and gives it a consumer for every stream already published.</summary>
    internal void Add(Peer peer)
    {
        foreach (var other in _peers)
        {
            for (int source = 0; source < MediaSources.Count; source++)
            {
                if (other.ProducerOf((MediaSource)source) is { } producer) peer.AddConsumer(producer);
            }
        }
        _peers.Add(peer);
    }

    /// <summary>
    /// A peer's answer revealed new streams (a newcomer's microphone and camera come in one
    /// answer): offer them to everyone else in one new offer each, so each answers once.
    /// </summary>
    internal void OnPublished(IReadOnlyList<Producer> producers)
    {
        string publisherId = producers[0].PublisherId;
        foreach (var other in _peers)
        {
            if (other.Id == publisherId || other.IsClosed) continue;
            foreach (var producer in producers) other.AddConsumer(producer);
            other.Renegotiate();
        }
    }

    /// <summary>A publisher stopped one stream (a screen share ended): everyone else's section for it goes inactive.</summary>
    internal void OnUnpublished(Producer producer)
    {
        foreach (var other in _peers)
        {
            if (other.Id == producer.PublisherId || other.IsClosed) continue;
            if (other.RemoveConsumerOf(producer)) other.Renegotiate();
        }
    }

    /// <summary>A PLI for every video stream (cameras and screens), through each stream's own throttle.</summary>
    internal void RequestKeyFrames(long nowMs)
    {
        foreach (var peer in _peers)
        {
            if (peer.IsClosed) continue;
            peer.ProducerOf(MediaSource.Camera)?.RequestKeyFrame(nowMs);
            peer.ProducerOf(MediaSource.Screen)?.RequestKeyFrame(nowMs);
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
        _forwardedToDeparted += peer.Forwarded;
        _publishedByDeparted += peer.Published;
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
