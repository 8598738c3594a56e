using Conclave.Media.Ice;
using Conclave.Media.Stun;

namespace Conclave.Fuzz.Targets;

/// <summary>
/// A datagram on the media port that looks like STUN (RFC 7983): anyone can send one.
/// What parses has its attributes read and its MESSAGE-INTEGRITY and FINGERPRINT checked
/// as the ICE agent does; its type, transaction id and USERNAME written back by
/// <see cref="StunMessageWriter"/> parse and verify again.
/// </summary>
public static class StunTarget
{
    /// <summary>The short-term credential (an ICE password) the seeds are signed with.</summary>
    public static ReadOnlySpan<byte> Key => "fuzzing-ice-password-0123"u8;

    private static ReadOnlySpan<ushort> AttributeTypes =>
    [
        StunAttributeType.MappedAddress, StunAttributeType.Username, StunAttributeType.MessageIntegrity, StunAttributeType.ErrorCode,
        StunAttributeType.XorMappedAddress, StunAttributeType.Priority, StunAttributeType.UseCandidate, StunAttributeType.Software,
        StunAttributeType.Fingerprint, StunAttributeType.IceControlled, StunAttributeType.IceControlling,
    ];

    public static void Run(ReadOnlySpan<byte> datagram)
    {
        if (!StunMessage.TryParse(datagram, out var message)) return;
        IceUsername.TryGetLocalUfrag(message, out _);
        Invariant.Holds(message.Length == datagram.Length && message.Length % 4 == 0, "a STUN message is the whole datagram, in 32-bit words");
        foreach (ushort type in AttributeTypes) message.TryGetAttribute(type, out _);
        message.VerifyMessageIntegrity(Key);
        message.VerifyFingerprint();
        RoundTrip(message);
    }

    private static void RoundTrip(StunMessage message)
    {
        bool hasUsername = message.TryGetAttribute(StunAttributeType.Username, out var username);
        var buffer = new byte[StunMessage.HeaderLength + 4 + username.Length + 3 + 24 + 8];
        var writer = new StunMessageWriter(buffer, message.MessageType, message.TransactionId);
        if (hasUsername) writer.WriteAttribute(StunAttributeType.Username, username);
        writer.WriteMessageIntegrity(Key);
        writer.WriteFingerprint();
        // RFC 5389 §6: the body length is 16 bits; a USERNAME near 64 KiB leaves no room for the rest.
        if (writer.Overflowed || writer.Length - StunMessage.HeaderLength > ushort.MaxValue) return;
        var written = buffer.AsSpan(0, writer.Length);
        Invariant.Holds(StunMessage.TryParse(written, out var again), "what StunMessageWriter wrote does not parse");
        Invariant.Holds(again.MessageType == message.MessageType && again.TransactionId.SequenceEqual(message.TransactionId), "type or transaction id changed in the round trip");
        Invariant.Holds(again.TryGetAttribute(StunAttributeType.Username, out var usernameAgain) == hasUsername && usernameAgain.SequenceEqual(username), "USERNAME changed in the round trip");
        Invariant.Holds(again.VerifyMessageIntegrity(Key) && again.VerifyFingerprint(), "what StunMessageWriter signed does not verify");
        Invariant.Holds(!again.VerifyMessageIntegrity("another-password"u8), "MESSAGE-INTEGRITY verifies under another key");
    }
}
