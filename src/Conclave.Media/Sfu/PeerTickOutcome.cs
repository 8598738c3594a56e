namespace Conclave.Media.Sfu;

/// <summary>What a peer's timers found.</summary>
internal enum PeerTickOutcome
{
    Alive,
    /// <summary>No authenticated connectivity check for 30 s (RFC 7675 §5.1).</summary>
    ConsentExpired,
    /// <summary>ICE never completed within 30 s of joining.</summary>
    ConnectTimedOut,
}
