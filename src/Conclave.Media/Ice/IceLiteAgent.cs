using System.Net;
using System.Text;
using Conclave.Media.Stun;

namespace Conclave.Media.Ice;

/// <summary>
/// The appliance's side of ICE for one session. A lite agent (RFC 8445 §2.5) has one
/// host candidate, never sends checks and is always controlled: it authenticates and
/// answers the browser's Binding requests, learns from them which address is the
/// browser's, and takes each authenticated request as consent (RFC 7675).
/// </summary>
public sealed class IceLiteAgent
{
    /// <summary>RFC 7675 §5.1: consent expires 30 s after the last authenticated check.</summary>
    public const long ConsentTimeoutMs = 30_000;

    private const int RoleConflictCode = 487;

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
    }

    /// <summary>ICE restart (RFC 8445 §9): new local credentials; the old ufrag is refused from now on.</summary>
    public void Restart(IceCredentials newLocal)
    {
        Local = newLocal;
        _localUfrag = Encoding.ASCII.GetBytes(newLocal.Ufrag);
        _localPassword = Encoding.UTF8.GetBytes(newLocal.Password);
        Remote = null;
        _remoteUfrag = null;
    }

    public bool IsConsentExpired(long nowMs) => nowMs - LastConsentMs > ConsentTimeoutMs;

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
