namespace Conclave.Media.Sfu;

/// <summary>What a <see cref="Consumer"/> asks of the transport to its subscriber (mediasoup's Consumer::Listener).</summary>
internal interface IConsumerListener
{
    /// <summary>
    /// Protects and sends one RTP packet to the subscriber under <paramref name="ssrc"/> (the
    /// consumer's own, written over the publisher's); false when it could not (no keys or no address yet).
    /// </summary>
    bool SendRtp(Consumer consumer, ReadOnlySpan<byte> rtpPacket, uint ssrc);

    /// <summary>Protects and sends the publisher's sender report with <paramref name="ssrc"/> as its sender.</summary>
    void SendSenderReport(Consumer consumer, ReadOnlySpan<byte> senderReport, uint ssrc);
}
