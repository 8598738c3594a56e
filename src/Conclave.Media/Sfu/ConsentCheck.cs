using System.Net;
using System.Security.Cryptography;

namespace Conclave.Media.Sfu;

/// <summary>
/// The appliance's own Binding request to an address a browser nominated, outstanding until
/// an authenticated response from that address proves it wants the media (RFC 7675 §5.1).
/// </summary>
internal sealed class ConsentCheck(SocketAddress address)
{
    /// <summary>RFC 5389 §7.2.1 starts at 500 ms for the internet; on a LAN 200 ms is many round trips.</summary>
    public const long RetransmitIntervalMs = 200;

    /// <summary>About 2 s of asking; a browser nominating an address answers within one round trip.</summary>
    public const int MaxAttempts = 10;

    public SocketAddress Address { get; } = address;

    /// <summary>RFC 5389 §6: 96 random bits, so a response cannot be forged by guessing.</summary>
    public byte[] TransactionId { get; } = RandomNumberGenerator.GetBytes(12);

    public int Attempts { get; private set; }

    public long SentAtMs { get; private set; }

    public void OnSent(long nowMs)
    {
        Attempts++;
        SentAtMs = nowMs;
    }
}
