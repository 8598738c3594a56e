namespace Conclave.Media.Sfu;

/// <summary>What became of a browser's SDP answer.</summary>
public enum AnswerOutcome
{
    Applied,
    /// <summary>The peer left or was dropped before the answer was applied.</summary>
    SessionEnded,
    /// <summary>No offer awaits an answer.</summary>
    NoOfferAwaiting,
    /// <summary>The answer names another revision than the offer that awaits one.</summary>
    StaleRevision,
    /// <summary>The SDP does not parse, or lacks what the appliance needs (RFC 8866, RFC 8829 §5.3).</summary>
    BadSdp,
    /// <summary>The SDP parses but does not answer the offer (RFC 3264 §6).</summary>
    MismatchedSections,
    /// <summary>a=fingerprint differs from the session's first answer: DTLS is already bound to it (RFC 5763 §5).</summary>
    FingerprintChanged,
    /// <summary>The answer announces an SSRC another participant of the room already uses, or one SSRC twice.</summary>
    SsrcInUse,
}

/// <param name="Refusal">For the browser: why the answer was refused; null when it was applied.</param>
public readonly record struct AnswerResult(AnswerOutcome Outcome, string? Refusal)
{
    public static AnswerResult Applied => new(AnswerOutcome.Applied, null);

    public static AnswerResult Refused(AnswerOutcome outcome, string refusal) => new(outcome, refusal);
}
