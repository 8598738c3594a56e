namespace Conclave.Media.Sfu;

/// <summary>RTP packets and their bytes (before SRTP's tag), as counted on the media loop thread.</summary>
public readonly record struct RtpTraffic(long Packets, long Bytes)
{
    public static RtpTraffic operator +(RtpTraffic a, RtpTraffic b) => new(a.Packets + b.Packets, a.Bytes + b.Bytes);
}
