using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// One m-section of a peer's SDP. A departed participant's section goes inactive; once
/// the browser has answered that, the section may carry a newcomer's stream of the same
/// kind (RFC 3264 §8.4: a later offer may change a section's direction and its streams),
/// so the SDP grows with the people present, not with everyone who ever came.
/// </summary>
internal sealed class NegotiatedSection(string mid, MediaKind kind, MediaDirection direction, Consumer? consumer)
{
    public string Mid { get; } = mid;
    public MediaKind Kind { get; } = kind;

    /// <summary>From the appliance's point of view: recvonly = the browser publishes here.</summary>
    public MediaDirection Direction { get; set; } = direction;

    public Consumer? Consumer { get; set; } = consumer;

    /// <summary>The first offer revision in which this section is inactive; 0 while it carries a stream.</summary>
    public int InactiveSinceRevision { get; set; }
}
