using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// One m-section of a peer's SDP. Sections are never reused: a departed participant's
/// section stays inactive, so every mid means one track for the whole session
/// (simpler for the browser than recycling, RFC 8829 §5.2.2).
/// </summary>
internal sealed class NegotiatedSection(string mid, MediaKind kind, MediaDirection direction, Consumer? consumer)
{
    public string Mid { get; } = mid;
    public MediaKind Kind { get; } = kind;

    /// <summary>From the appliance's point of view: recvonly = the browser publishes here.</summary>
    public MediaDirection Direction { get; set; } = direction;

    public Consumer? Consumer { get; set; } = consumer;
}
