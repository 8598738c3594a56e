using System.Net;
using System.Security.Cryptography;
using System.Text;
using Conclave.Media.Stun;

namespace Conclave.Daemon.Tests.Participants;

/// <summary>
/// The STUN a full, controlling ICE agent sends and answers (RFC 8445 §7.2.2, §7.3):
/// Binding requests signed with the appliance's password, and the responses to any
/// check the appliance itself sends (RFC 7675 consent), signed with ours.
/// </summary>
internal static class IceCheck
{
    /// <summary>RFC 8445 §5.1.2.1 priority of a host candidate: type 126, local 65535, component 1.</summary>
    private static readonly byte[] HostPriority = [0x7E, 0xFF, 0xFF, 0xFF];

    /// <summary>A Binding request with a fresh transaction id, written into <paramref name="request"/>.</summary>
    public static int WriteRequest(Span<byte> request, string remoteUfrag, string localUfrag, string remotePassword, ulong tieBreaker, bool useCandidate, out byte[] transactionId)
    {
        transactionId = RandomNumberGenerator.GetBytes(12);
        var writer = new StunMessageWriter(request, StunMessageType.BindingRequest, transactionId);
        writer.WriteAttribute(StunAttributeType.Username, Encoding.ASCII.GetBytes($"{remoteUfrag}:{localUfrag}"));
        writer.WriteAttribute(StunAttributeType.Priority, HostPriority);
        byte[] tie = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(tie, tieBreaker);
        writer.WriteAttribute(StunAttributeType.IceControlling, tie);
        if (useCandidate) writer.WriteAttribute(StunAttributeType.UseCandidate, []);
        writer.WriteMessageIntegrity(Encoding.UTF8.GetBytes(remotePassword));
        writer.WriteFingerprint();
        if (writer.Overflowed) throw new InvalidOperationException("a Binding request outgrew its buffer");
        return writer.Length;
    }

    /// <summary>A success response from the appliance to <paramref name="transactionId"/>, signed with its password.</summary>
    public static bool IsSuccessFor(ReadOnlySpan<byte> datagram, ReadOnlySpan<byte> transactionId, string remotePassword) =>
        StunMessage.TryParse(datagram, out var message)
        && message.MessageType == StunMessageType.BindingSuccessResponse
        && message.TransactionId.SequenceEqual(transactionId)
        && message.VerifyMessageIntegrity(Encoding.UTF8.GetBytes(remotePassword));

    /// <summary>
    /// Answers a Binding request the appliance sent us (USERNAME "ours:theirs", signed with
    /// our password); returns 0 for anything else.
    /// </summary>
    public static int WriteResponseTo(ReadOnlySpan<byte> datagram, SocketAddress from, string localUfrag, string localPassword, Span<byte> response)
    {
        if (!StunMessage.TryParse(datagram, out var message) || message.MessageType != StunMessageType.BindingRequest) return 0;
        byte[] key = Encoding.UTF8.GetBytes(localPassword);
        if (!message.TryGetAttribute(StunAttributeType.Username, out var username)
            || !username.StartsWith(Encoding.ASCII.GetBytes(localUfrag + ":"))
            || !message.VerifyMessageIntegrity(key))
        {
            return 0;
        }
        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, message.TransactionId);
        writer.WriteXorMappedAddress(from);
        writer.WriteMessageIntegrity(key);
        writer.WriteFingerprint();
        return writer.Overflowed ? 0 : writer.Length;
    }
}
