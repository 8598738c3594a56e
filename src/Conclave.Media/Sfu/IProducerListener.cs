namespace Conclave.Media.Sfu;

/// <summary>What a <see cref="Producer"/> asks of the transport its stream arrives on (mediasoup's Producer::Listener).</summary>
internal interface IProducerListener
{
    /// <summary>Subscribers need a key frame: ask the publisher for one with a PLI (RFC 4585 §6.3.1).</summary>
    void OnKeyFrameWanted(Producer producer);
}
