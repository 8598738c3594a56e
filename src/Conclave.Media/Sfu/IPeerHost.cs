using System.Net;
using Conclave.Media.Diagnostics;
using Conclave.Media.Dtls;

namespace Conclave.Media.Sfu;

/// <summary>
/// What a <see cref="Peer"/> needs from the media plane it lives in: the shared port, the
/// address and ufrag registries, the drop counters, the loop and the certificate.
/// NOTE: called on the loop thread, except <see cref="TrySend"/> and <see cref="Post"/>.
/// </summary>
internal interface IPeerHost
{
    /// <summary>This process's DTLS certificate; its fingerprint goes into every offer (RFC 8122).</summary>
    DtlsCertificate Certificate { get; }

    /// <summary>The ICE host candidate given to browsers.</summary>
    IPEndPoint CandidateEndPoint { get; }

    /// <summary>The loop's clock.</summary>
    long NowMs { get; }

    /// <summary>Sends one datagram from the media port; safe from any thread.</summary>
    bool TrySend(ReadOnlySpan<byte> datagram, SocketAddress to);

    /// <summary>
    /// Sends a forwarded media datagram at the end of the loop's turn, batched with the others to
    /// <paramref name="to"/> (<see cref="Transport.MediaEventLoop.SendMedia"/>). Loop thread only.
    /// </summary>
    void SendMedia(ReadOnlySpan<byte> datagram, SocketAddress to);

    /// <summary>Routes DTLS, RTP and RTCP from <paramref name="address"/> to <paramref name="peer"/>: it passed an ICE check.</summary>
    void BindAddress(SocketAddress address, Peer peer);

    /// <summary>After an ICE restart, checks are found by the peer's new ufrag only (RFC 8445 §9).</summary>
    void ReplaceUfrag(string oldUfrag, Peer peer);

    void CountDrop(DropReason reason);

    void CountDrops(DropReason reason, int count);

    /// <summary>Sees each packet a peer forwards, before it is protected for subscribers; null when no one listens.</summary>
    IForwardTap? ForwardTap { get; }

    /// <summary>Runs <paramref name="work"/> on the loop thread, soon; safe from any thread.</summary>
    void Post(Action work);

    /// <summary>Removes the peer everywhere and tells its signalling why.</summary>
    void ClosePeer(Peer peer, string reason);
}
