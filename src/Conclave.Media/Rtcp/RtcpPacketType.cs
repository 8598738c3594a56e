namespace Conclave.Media.Rtcp;

/// <summary>RTCP packet types (RFC 3550 §12.1, RFC 4585 §6.1).</summary>
public static class RtcpPacketType
{
    public const byte SenderReport = 200;
    public const byte ReceiverReport = 201;
    public const byte SourceDescription = 202;
    public const byte Goodbye = 203;
    public const byte ApplicationDefined = 204;
    /// <summary>RTPFB: transport-layer feedback (NACK, transport-cc).</summary>
    public const byte TransportFeedback = 205;
    /// <summary>PSFB: payload-specific feedback (PLI, FIR, REMB).</summary>
    public const byte PayloadFeedback = 206;
}

/// <summary>The FMT field of feedback packets.</summary>
public static class RtcpFeedbackFormat
{
    /// <summary>RTPFB: generic NACK (RFC 4585 §6.2.1).</summary>
    public const byte Nack = 1;
    /// <summary>RTPFB: transport-wide congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1).</summary>
    public const byte TransportWideCc = 15;
    /// <summary>PSFB: picture loss indication (RFC 4585 §6.3.1).</summary>
    public const byte Pli = 1;
    /// <summary>PSFB: full intra request (RFC 5104 §4.3.1).</summary>
    public const byte Fir = 4;
    /// <summary>PSFB: application layer feedback, used by REMB (draft-alvestrand-rmcat-remb-03).</summary>
    public const byte ApplicationLayer = 15;
}
