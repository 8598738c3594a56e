using System.Net;
using Conclave.Media.Dtls;
using Conclave.Media.Transport;

namespace Conclave.Media.Sfu;

public sealed class MediaPlaneOptions
{
    /// <summary>
    /// One socket per media loop, all bound to the one media port already: in production
    /// <see cref="UdpDatagramSocket.Bind"/> with a shared port, one per core.
    /// </summary>
    public required IReadOnlyList<IDatagramSocket> Sockets { get; init; }

    /// <summary>This process's DTLS certificate (<see cref="DtlsCertificate.CreateSelfSigned"/>).</summary>
    public required DtlsCertificate Certificate { get; init; }

    /// <summary>
    /// The address browsers are told to send to (the ICE host candidate). Defaults to
    /// the socket's address; must be set when it listens on a wildcard address.
    /// </summary>
    public IPAddress? AdvertisedAddress { get; init; }

    /// <summary>Sees every forwarded RTP packet on the loop thread (see <see cref="IForwardTap"/>); none by default.</summary>
    public IForwardTap? ForwardTap { get; init; }

    /// <summary>The media loop's clock; tests set their own to step through timers.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;
}
