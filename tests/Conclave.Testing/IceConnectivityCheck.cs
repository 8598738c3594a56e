using System.Security.Cryptography;
using System.Text;
using Conclave.Media.Stun;

namespace Conclave.Testing;

/// <summary>
/// The connectivity check a browser sends the appliance: a STUN Binding request (RFC 5389)
/// with USERNAME "applianceUfrag:browserUfrag" (RFC 8445 §7.2.2), PRIORITY, the role
/// attribute with a random tie-breaker, USE-CANDIDATE when it nominates, then
/// MESSAGE-INTEGRITY keyed by the appliance's ICE password and FINGERPRINT.
/// </summary>
public static class IceConnectivityCheck
{
    /// <summary>
    /// RFC 8445 §7.1.1: the priority of a peer-reflexive candidate (type preference 110,
    /// §5.1.2.2), local preference 0x7F1E, component 1.
    /// </summary>
    private static readonly byte[] PeerReflexivePriority = [0x6E, 0x7F, 0x1E, 0xFF];

    /// <param name="username">USERNAME as sent: "applianceUfrag:browserUfrag".</param>
    /// <param name="password">The key of MESSAGE-INTEGRITY: the appliance's ICE password, or a wrong one.</param>
    /// <param name="useCandidate">Nominate the pair (RFC 8445 §8.1.1).</param>
    /// <param name="controlled">Claim ICE-CONTROLLED where a browser facing an ICE-lite agent must be controlling (RFC 8445 §6.1.1).</param>
    /// <param name="fingerprint">End with FINGERPRINT (RFC 5389 §15.5), as every ICE check must.</param>
    public static byte[] Request(string username, string password, bool useCandidate = false, bool controlled = false, bool fingerprint = true)
    {
        var buffer = new byte[512];
        var writer = new StunMessageWriter(buffer, StunMessageType.BindingRequest, RandomNumberGenerator.GetBytes(12));
        writer.WriteAttribute(StunAttributeType.Username, Encoding.UTF8.GetBytes(username));
        writer.WriteAttribute(StunAttributeType.Priority, PeerReflexivePriority);
        writer.WriteAttribute(controlled ? StunAttributeType.IceControlled : StunAttributeType.IceControlling, RandomNumberGenerator.GetBytes(8));
        if (useCandidate) writer.WriteAttribute(StunAttributeType.UseCandidate, []);
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(password));
        if (fingerprint) writer.WriteFingerprint();
        return buffer.AsSpan(0, writer.Length).ToArray();
    }
}
