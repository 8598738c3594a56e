namespace Conclave.Media.Transport;

/// <summary>What a datagram on the shared media port carries (RFC 7983 §7).</summary>
public enum DatagramKind
{
    Unknown,
    Stun,
    Dtls,
    Rtp,
    Rtcp,
}
