namespace Conclave.Media.Sfu;

/// <summary>What a <see cref="Consumer"/> asks of the transport to its subscriber (mediasoup's Consumer::Listener).</summary>
internal interface IConsumerListener
{
    /// <summary>Protects and sends one RTP packet to the subscriber; false when it could not (no keys or no address yet).</summary>
    bool SendRtp(Consumer consumer, ReadOnlySpan<byte> rtpPacket);

    /// <summary>Protects and sends one RTCP packet to the subscriber.</summary>
    void SendRtcp(Consumer consumer, ReadOnlySpan<byte> rtcpPacket);
}
