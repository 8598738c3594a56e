using Conclave.Media.Sdp;
using Conclave.Media.Sfu;

namespace Conclave.Media.Tests.Sfu;

/// <summary>A forward tap that keeps a copy of everything it sees, for tests to read.</summary>
internal sealed class RecordingForwardTap : IForwardTap
{
    public List<(string RoomId, string PublisherPeerId, MediaKind Kind, byte[] Packet)> Seen { get; } = new();

    public List<(string RoomId, string PublisherPeerId, uint Ssrc, ulong Ntp, uint RtpTimestamp)> SenderReports { get; } = new();

    public void OnForward(string roomId, string publisherPeerId, MediaKind kind, ReadOnlySpan<byte> rtpPacket) =>
        Seen.Add((roomId, publisherPeerId, kind, rtpPacket.ToArray()));

    public void OnSenderReport(string roomId, string publisherPeerId, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp) =>
        SenderReports.Add((roomId, publisherPeerId, ssrc, ntpTimestamp, rtpTimestamp));
}
