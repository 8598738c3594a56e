namespace Conclave.Media.Transport;

/// <summary>
/// Sorts a datagram by its first byte, RFC 7983 §7:
/// <code>
///                  +----------------+
///                  |        [0..3] -+--> forward to STUN
///                  |       [20..63] -+--> forward to DTLS
///                  |     [128..191] -+--> forward to RTP/RTCP
///                  +----------------+
/// </code>
/// RTP and RTCP share a port with rtcp-mux; RFC 5761 §4 tells them apart by the
/// second byte: RTCP packet types 192–223 collide with no dynamic RTP payload type
/// once the marker bit is included.
/// </summary>
public static class DatagramClassifier
{
    private const int RtcpPacketTypeFirst = 192;
    private const int RtcpPacketTypeLast = 223;

    public static DatagramKind Classify(ReadOnlySpan<byte> datagram)
    {
        if (datagram.IsEmpty) return DatagramKind.Unknown;
        byte first = datagram[0];
        if (first <= 3) return DatagramKind.Stun;
        if (first is >= 20 and <= 63) return DatagramKind.Dtls;
        if (first is >= 128 and <= 191)
        {
            if (datagram.Length < 2) return DatagramKind.Unknown;
            return datagram[1] is >= RtcpPacketTypeFirst and <= RtcpPacketTypeLast ? DatagramKind.Rtcp : DatagramKind.Rtp;
        }
        return DatagramKind.Unknown;
    }
}
