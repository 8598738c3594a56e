namespace Conclave.Media.Sfu;

/// <summary>
/// How a peer speaks to its signalling channel. Called on the media loop thread:
/// implementations only enqueue, never block.
/// </summary>
public interface IPeerSignalSink
{
    void SendOffer(PeerOffer offer);

    /// <summary>The media plane dropped the peer (consent expired, DTLS failed).</summary>
    void OnMediaClosed(string reason);
}
