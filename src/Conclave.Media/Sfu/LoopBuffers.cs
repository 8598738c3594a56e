namespace Conclave.Media.Sfu;

/// <summary>
/// Scratch buffers of the media loop, allocated once. Only the loop thread touches
/// them, so one set serves every peer. Each stage of the packet path has its own so
/// that one stage's output is never the next stage's destination.
/// </summary>
internal sealed class LoopBuffers
{
    private const int Bytes = 2048;

    /// <summary>A forwarded RTP packet after its header extensions were removed.</summary>
    public readonly byte[] Forwarded = new byte[Bytes];

    /// <summary>A packet as one subscriber gets it, under its consumer's SSRC, before SRTP.</summary>
    public readonly byte[] Outgoing = new byte[Bytes];

    /// <summary>An RTX packet built from the cache.</summary>
    public readonly byte[] Retransmission = new byte[Bytes];

    /// <summary>RTCP the SFU writes itself (PLI, transport-cc feedback).</summary>
    public readonly byte[] Rtcp = new byte[Bytes];

    /// <summary>The SRTP/SRTCP output of every send.</summary>
    public readonly byte[] Protected = new byte[Bytes];

    /// <summary>STUN responses.</summary>
    public readonly byte[] Stun = new byte[Bytes];
}
