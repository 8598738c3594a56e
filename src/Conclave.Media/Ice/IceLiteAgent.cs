using System.Net;
using System.Text;
using Conclave.Media.Stun;

namespace Conclave.Media.Ice;

/// <summary>
/// The appliance's side of ICE for one session. A lite agent (RFC 8445 §2.5) has one
/// host candidate and is always controlled: it authenticates and answers the browser's
/// Binding requests, learns from them which address is the browser's, and takes each
/// authenticated request as consent (RFC 7675). A request proves only that its sender
/// knows the credentials, not that its source address is theirs; so before media goes to
/// an address the agent sends a Binding request of its own there, and only an
/// authenticated response from that address is consent to receive (RFC 7675 §5.1).
/// </summary>
public sealed class IceLiteAgent
{
    /// <summary>RFC 7675 §5.1: consent expires 30 s after the last authenticated check.</summary>
    public const long ConsentTimeoutMs = 30_000;

    private const int RoleConflictCode = 487;

    /// <summary>RFC 8445 §5.1.2.1 type preference of a host candidate, for the PRIORITY of our consent checks.</summary>
    private const uint HostCandidatePriority = (126u << 24) | (65535u << 8) | 255u;

    private readonly byte[] _tieBreaker = System.Security.Cryptography.RandomNumberGenerator.GetBytes(8);
    private byte[]? _remotePassword;

    private byte[] _localPassword;
    private byte[] _localUfrag;
    private byte[]? _remoteUfrag;

    public IceLiteAgent(IceCredentials local)
    {
        Local = local;
        _localUfrag = Encoding.ASCII.GetBytes(local.Ufrag);
        _localPassword = Encoding.UTF8.GetBytes(local.Password);
    }

    public IceCredentials Local { get; private set; }

    public IceCredentials? Remote { get; private set; }

    /// <summary>When the last authenticated check arrived; 0 before the first.</summary>
    public long LastConsentMs { get; private set; }

    /// <summary>
    /// The browser's credentials from its SDP answer. Checks may come first: they are
    /// signed with our password, so they are answered before this is known.
    /// </summary>
    public void SetRemote(IceCredentials remote)
    {
        Remote = remote;
        _remoteUfrag = Encoding.ASCII.GetBytes(remote.Ufrag);
        _remotePassword = Encoding.UTF8.GetBytes(remote.Password);
    }

    /// <summary>ICE restart (RFC 8445 §9): new local credentials; the old ufrag is refused from now on.</summary>
    public void Restart(IceCredentials newLocal)
    {
        Local = newLocal;
        _localUfrag = Encoding.ASCII.GetBytes(newLocal.Ufrag);
        _localPassword = Encoding.UTF8.GetBytes(newLocal.Password);
        Remote = null;
        _remoteUfrag = null;
        _remotePassword = null;
    }

    public bool IsConsentExpired(long nowMs) => nowMs - LastConsentMs > ConsentTimeoutMs;

    /// <summary>
    /// Writes a consent check toward the browser (RFC 7675 §5.1: a Binding request as in
    /// RFC 8445 §7.2.2): USERNAME "remote:local", signed with the browser's password.
    /// False until the browser's credentials are known from its answer.
    /// </summary>
    public bool TryWriteConsentRequest(ReadOnlySpan<byte> transactionId, Span<byte> request, out int requestLength)
    {
        requestLength = 0;
        if (_remoteUfrag is null || _remotePassword is null) return false;
        var writer = new StunMessageWriter(request, StunMessageType.BindingRequest, transactionId);
        Span<byte> username = stackalloc byte[_remoteUfrag.Length + 1 + _localUfrag.Length];
        _remoteUfrag.CopyTo(username);
        username[_remoteUfrag.Length] = (byte)':';
        _localUfrag.CopyTo(username[(_remoteUfrag.Length + 1)..]);
        writer.WriteAttribute(StunAttributeType.Username, username);
        Span<byte> priority = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteUInt32BigEndian(priority, HostCandidatePriority);
        writer.WriteAttribute(StunAttributeType.Priority, priority);
        writer.WriteAttribute(StunAttributeType.IceControlled, _tieBreaker);
        writer.WriteMessageIntegrity(_remotePassword);
        writer.WriteFingerprint();
        if (writer.Overflowed) return false;
        requestLength = writer.Length;
        return true;
    }

    /// <summary>
    /// Whether <paramref name="message"/> is the browser's authenticated success response to
    /// the consent check <paramref name="transactionId"/>: signed with the browser's password,
    /// as the request was (RFC 8445 §7.2.5.2.1, RFC 5389 §10.1.3).
    /// </summary>
    public bool IsConsentResponse(StunMessage message, ReadOnlySpan<byte> transactionId) =>
        _remotePassword is not null &&
        message.MessageType == StunMessageType.BindingSuccessResponse &&
        message.TransactionId.SequenceEqual(transactionId) &&
        message.VerifyFingerprint() &&
        message.VerifyMessageIntegrity(_remotePassword);

    /// <summary>
    /// Authenticates a Binding request, parsed once by whoever routed it here, and writes
    /// the response into <paramref name="response"/>. Nothing is written for a request that
    /// fails authentication (RFC 5389 §10.1.2: no response to a bad MESSAGE-INTEGRITY on a
    /// short-term credential, so a prober learns nothing).
    /// </summary>
    public IceCheckOutcome HandleBindingRequest(StunMessage message, SocketAddress from, long nowMs, Span<byte> response, out int responseLength)
    {
        responseLength = 0;
        if (message.MessageType != StunMessageType.BindingRequest) return IceCheckOutcome.NotBindingRequest;
        // RFC 8445 §7.3: USERNAME must be ours; the remote part must match once we know it.
        if (!message.TryGetAttribute(StunAttributeType.Username, out var username) ||
            !IceUsername.TrySplit(username, out var localPart, out var remotePart) ||
            !localPart.SequenceEqual(_localUfrag) ||
            (_remoteUfrag is not null && !remotePart.SequenceEqual(_remoteUfrag)))
        {
            return IceCheckOutcome.UnknownUsername;
        }
        // RFC 8445 §7.2.2 requires FINGERPRINT on every check; it is what tells STUN
        // from other protocols sharing the port.
        if (!message.VerifyFingerprint()) return IceCheckOutcome.BadFingerprint;
        if (!message.VerifyMessageIntegrity(_localPassword)) return IceCheckOutcome.BadIntegrity;

        LastConsentMs = nowMs;
        if (message.TryGetAttribute(StunAttributeType.IceControlled, out _))
        {
            // Both sides think they are controlled; a lite agent never takes control
            // (RFC 8445 §7.3.1.1), so the full agent must switch: tell it with 487.
            var error = new StunMessageWriter(response, StunMessageType.BindingErrorResponse, message.TransactionId);
            error.WriteErrorCode(RoleConflictCode, "Role Conflict");
            error.WriteMessageIntegrity(_localPassword);
            error.WriteFingerprint();
            responseLength = error.Overflowed ? 0 : error.Length;
            return IceCheckOutcome.RoleConflict;
        }

        var writer = new StunMessageWriter(response, StunMessageType.BindingSuccessResponse, message.TransactionId);
        writer.WriteXorMappedAddress(from);
        writer.WriteMessageIntegrity(_localPassword);
        writer.WriteFingerprint();
        if (writer.Overflowed) return IceCheckOutcome.Malformed;
        responseLength = writer.Length;
        return message.TryGetAttribute(StunAttributeType.UseCandidate, out _) ? IceCheckOutcome.AnsweredNominated : IceCheckOutcome.Answered;
    }
}
