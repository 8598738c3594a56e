using System.Net;

namespace Conclave.Media.Sfu;

public sealed class MediaPlaneOptions
{
    /// <summary>Where the one media UDP port listens.</summary>
    public required IPEndPoint ListenEndPoint { get; init; }

    /// <summary>
    /// The address browsers are told to send to (the ICE host candidate). Defaults to
    /// the listen address; must be set when listening on a wildcard address.
    /// </summary>
    public IPAddress? AdvertisedAddress { get; init; }
}
