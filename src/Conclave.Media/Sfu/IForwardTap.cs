using Conclave.Media.Sdp;

namespace Conclave.Media.Sfu;

/// <summary>
/// Sees every RTP packet the SFU forwards, once per packet however many subscribers get
/// it (and even when none does), before it is protected for any of them: the header as
/// forwarded (extensions removed) and the payload, which is SFrame ciphertext; and every
/// sender report a publisher sends for a stream it publishes, which maps that stream's RTP
/// timestamps to wall-clock time (RFC 3550 §6.4.1) so a recording can align its streams.
/// NOTE: called on the media loop thread, on the packet path of every meeting. Copy what
/// you keep (the span is the loop's scratch buffer, reused by the next packet) and never
/// block or throw: any time spent here delays every participant's media.
/// </summary>
public interface IForwardTap
{
    void OnForward(string roomId, string publisherPeerId, MediaKind kind, ReadOnlySpan<byte> rtpPacket);

    void OnSenderReport(string roomId, string publisherPeerId, uint ssrc, ulong ntpTimestamp, uint rtpTimestamp);
}
