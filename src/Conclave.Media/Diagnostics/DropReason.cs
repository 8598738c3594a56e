namespace Conclave.Media.Diagnostics;

/// <summary>
/// Why the media plane dropped a datagram. A drop is counted, never logged: a log line
/// per packet would let a flood fill the journal. <see cref="DropCounters"/> holds one
/// counter per reason.
/// </summary>
public enum DropReason
{
    /// <summary>First byte matched no RFC 7983 range (0–3 STUN, 20–63 DTLS, 128–191 RTP/RTCP).</summary>
    UnknownProtocol,
    /// <summary>A non-STUN datagram from an address that has not passed an ICE connectivity check.</summary>
    UnknownAddress,
    /// <summary>STUN that does not parse (RFC 5389 §6 header, attribute lengths).</summary>
    StunMalformed,
    /// <summary>STUN that is not a Binding request, e.g. an indication or a response.</summary>
    StunUnexpectedType,
    /// <summary>USERNAME names no local ufrag we issued (RFC 8445 §7.3).</summary>
    StunUnknownUsername,
    /// <summary>MESSAGE-INTEGRITY missing or wrong (RFC 5389 §15.4).</summary>
    StunBadIntegrity,
    /// <summary>FINGERPRINT missing or wrong (RFC 5389 §15.5).</summary>
    StunBadFingerprint,
    /// <summary>DTLS record that the handshake rejected or arrived after the handshake ended.</summary>
    DtlsRejected,
    /// <summary>RTP that does not parse (RFC 3550 §5.1).</summary>
    RtpMalformed,
    /// <summary>RTCP or SRTCP that does not parse: every header V=2, lengths adding up to the datagram (RFC 3550 §6.4, RFC 3711 §3.4).</summary>
    RtcpMalformed,
    /// <summary>SRTP/SRTCP before the DTLS handshake produced keys.</summary>
    SrtpNoKeys,
    /// <summary>SRTP/SRTCP authentication tag did not verify (RFC 3711 §3.3, RFC 7714 §7).</summary>
    SrtpAuthFailed,
    /// <summary>SRTP/SRTCP index already seen or older than the replay window (RFC 3711 §3.3.2).</summary>
    SrtpReplayed,
    /// <summary>SSRC announced by no one in the session's SDP.</summary>
    UnknownSsrc,
    /// <summary>Packet larger than the receive buffer.</summary>
    Oversized,
    /// <summary>A send to a subscriber failed (socket buffer full, address gone).</summary>
    SendFailed,
    /// <summary>
    /// An outbound RTP packet whose SRTP index was already sealed for this subscriber, or
    /// is older than the window: sealing it would reuse an AES-GCM nonce (RFC 7714 §8.1).
    /// </summary>
    SrtpIndexReused,
    /// <summary>A NACKed packet already retransmitted to this subscriber within a round trip.</summary>
    RetransmissionTooSoon,
    /// <summary>A NACKed packet refused because the subscriber's retransmission budget is spent.</summary>
    RetransmissionOverBudget,
    /// <summary>A NACK asking for more packets than one NACK may; the rest of it is ignored.</summary>
    NackTruncated,
    /// <summary>A nominated address never answered the appliance's consent check (RFC 7675 §5.1): no media goes there.</summary>
    ConsentUnanswered,
    /// <summary>
    /// A published packet without the shape of SFrame (RFC 9605 §4.3) under the room's
    /// current MLS epoch or the two before it, or any media before the room has an epoch.
    /// </summary>
    NotSFrame,
    /// <summary>A PLI or FIR beyond the subscriber's budget of key-frame requests for that stream.</summary>
    KeyFrameRequestOverBudget,
    /// <summary>
    /// A published video packet received before: the late original of a packet already
    /// recovered by RTX, a retransmission of one already received, or a packet Chromium
    /// resends on its RTX stream as a bandwidth probe (RFC 4588 §4 payload, not padding).
    /// </summary>
    RtpDuplicate,
    /// <summary>A published video packet, or its retransmission, more than 512 packets behind the stream's newest.</summary>
    RtpTooLate,
    /// <summary>
    /// A packet with media on a publisher's RTX SSRC that is not RTX (RFC 4588 §4): another
    /// payload type than rtx, or a payload too short for the original sequence number.
    /// </summary>
    RtxMalformed,
    /// <summary>A packet lost on its way from a publisher, not asked for because its NACK budget is spent; it is given up.</summary>
    NackOverBudget,
}
