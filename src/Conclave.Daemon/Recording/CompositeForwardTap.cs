using Conclave.Media.Sdp;
using Conclave.Media.Sfu;

namespace Conclave.Daemon.Recording;

/// <summary>The recorder's tap and another (a test's), both seeing every forwarded packet.</summary>
internal sealed class CompositeForwardTap(IForwardTap first, IForwardTap second) : IForwardTap
{
    public void OnForward(string roomId, string publisherPeerId, MediaKind kind, ReadOnlySpan<byte> rtpPacket)
    {
        first.OnForward(roomId, publisherPeerId, kind, rtpPacket);
        second.OnForward(roomId, publisherPeerId, kind, rtpPacket);
    }

    public void OnSenderReport(string roomId, string publisherPeerId, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp)
    {
        first.OnSenderReport(roomId, publisherPeerId, ssrc, ntpTimestamp, rtpTimestamp);
        second.OnSenderReport(roomId, publisherPeerId, ssrc, ntpTimestamp, rtpTimestamp);
    }
}
