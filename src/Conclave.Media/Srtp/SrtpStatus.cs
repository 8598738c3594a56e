namespace Conclave.Media.Srtp;

/// <summary>The result of protecting or unprotecting one packet.</summary>
public enum SrtpStatus
{
    Ok,
    /// <summary>Too short, not version 2, or a header that runs past the packet.</summary>
    Malformed,
    /// <summary>The tag did not verify (RFC 3711 §3.3 step 5).</summary>
    AuthFailed,
    /// <summary>This index was already accepted (RFC 3711 §3.3.2) or, protecting, already sealed.</summary>
    Replayed,
    /// <summary>The index is older than the replay window (receiving or sending).</summary>
    TooOld,
    DestinationTooSmall,
    /// <summary>More SSRCs than one context keeps state for.</summary>
    TooManyStreams,
}
